import XCTest
@testable import TensorCore

/// Central-difference gradient check (see DESIGN "Every op ships with").
///
/// `f` maps the inputs to an output tensor; the scalar checked is L = <f(inputs), r> for a fixed random
/// projection r, so every output element contributes. For each input element (or `maxChecksPerInput`
/// sampled ones) the numerical derivative (L(x+eps) - L(x-eps)) / 2eps is compared with the analytical
/// gradient; the tolerance is relative to max(1, |g|). Elements sitting on a kink (one-sided differences
/// disagree) are skipped. Returns the number of elements compared so callers can assert it is non-zero.
@discardableResult
func checkGradients(_ name: String, inputs: [Tensor], eps: Float = 1e-2, tolerance: Float = 2e-2,
                    maxChecksPerInput: Int = 60, seed: UInt64 = 99,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([Tensor]) -> Tensor) -> Int {
    var rng = RNG(seed: seed)
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    let out = f(inputs)
    let r = Tensor.uniform(out.shape, -1, 1, rng: &rng)
    out.backward(gradient: r)
    let analytic = inputs.map { $0.grad?.toArray() ?? [Float](repeating: 0, count: $0.count) }

    func loss() -> Double {
        withNoGrad {
            let o = f(inputs)
            var s = 0.0
            for i in 0..<o.count { s += Double(o.data[i]) * Double(r.data[i]) }
            return s
        }
    }
    let l0 = loss()
    var compared = 0
    // Inputs are identical objects when an op uses one tensor twice; check each object once.
    var seen = Set<ObjectIdentifier>()
    for (k, x) in inputs.enumerated() {
        if !seen.insert(ObjectIdentifier(x)).inserted { continue }
        let indices: [Int] = x.count <= maxChecksPerInput ? Array(0..<x.count)
            : (0..<maxChecksPerInput).map { _ in rng.int(below: x.count) }
        for i in indices {
            let saved = x.data[i]
            x.data[i] = saved + eps; let lp = loss()
            x.data[i] = saved - eps; let lm = loss()
            x.data[i] = saved
            let numeric = (lp - lm) / Double(2 * eps)
            let forward = (lp - l0) / Double(eps), backwardDiff = (l0 - lm) / Double(eps)
            let scale = max(1.0, abs(numeric))
            if abs(forward - backwardDiff) > 0.5 * scale { continue }  // a kink: not differentiable here
            let g = Double(analytic[k][i])
            let err = abs(g - numeric) / max(1.0, abs(g))
            if err > Double(tolerance) {
                XCTFail("\(name): input \(k) element \(i): analytic \(g) vs numeric \(numeric)", file: file, line: line)
                return compared
            }
            compared += 1
        }
    }
    XCTAssertGreaterThan(compared, 0, "\(name): no element was compared", file: file, line: line)
    for x in inputs { x.grad = nil }
    return compared
}

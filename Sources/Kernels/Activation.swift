import Foundation

// Pointwise activations over n floats. Backward kernels accumulate (+=) into gradIn.
// tanh and sigmoid differentiate from their saved output; relu/leaky relu from their input.

/// Work below ~1 MB stays on one thread (see parallelFor); transcendental ones cost more per element.
@usableFromInline let cheapCost = 2
@usableFromInline let transcendentalCost = 16

public func reluForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    parallelFor(n, costPerItem: cheapCost) { s, e in for i in s..<e { out[i] = x[i] > 0 ? x[i] : 0 } }
}
public func reluBackward(_ x: UnsafePointer<Float>, _ gradOut: UnsafePointer<Float>,
                         _ gradIn: UnsafeMutablePointer<Float>, _ n: Int, accumulate: Bool = true) {
    parallelFor(n, costPerItem: cheapCost) { s, e in
        if accumulate {
            for i in s..<e { let g = gradOut[i]; gradIn[i] += x[i] > 0 ? g : 0 }
        } else {
            for i in s..<e { let g = gradOut[i]; gradIn[i] = x[i] > 0 ? g : 0 }
        }
    }
}

public func leakyReluForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, slope: Float, _ n: Int) {
    parallelFor(n, costPerItem: cheapCost) { s, e in for i in s..<e { out[i] = x[i] > 0 ? x[i] : x[i] * slope } }
}
public func leakyReluBackward(_ x: UnsafePointer<Float>, _ gradOut: UnsafePointer<Float>,
                              _ gradIn: UnsafeMutablePointer<Float>, slope: Float, _ n: Int, accumulate: Bool = true) {
    parallelFor(n, costPerItem: cheapCost) { s, e in
        if accumulate {
            for i in s..<e { gradIn[i] += x[i] > 0 ? gradOut[i] : gradOut[i] * slope }
        } else {
            for i in s..<e { gradIn[i] = x[i] > 0 ? gradOut[i] : gradOut[i] * slope }
        }
    }
}

public func tanhForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    parallelFor(n, costPerItem: transcendentalCost) { s, e in for i in s..<e { out[i] = Foundation.tanh(x[i]) } }
}
/// d tanh = 1 - y².
public func tanhBackward(_ y: UnsafePointer<Float>, _ gradOut: UnsafePointer<Float>,
                         _ gradIn: UnsafeMutablePointer<Float>, _ n: Int, accumulate: Bool = true) {
    parallelFor(n, costPerItem: cheapCost) { s, e in
        if accumulate {
            for i in s..<e { gradIn[i] += gradOut[i] * (1 - y[i] * y[i]) }
        } else {
            for i in s..<e { gradIn[i] = gradOut[i] * (1 - y[i] * y[i]) }
        }
    }
}

/// Logistic function without overflow: exp is only taken of -|x|.
@inline(__always) public func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

public func sigmoidForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    parallelFor(n, costPerItem: transcendentalCost) { s, e in for i in s..<e { out[i] = stableSigmoid(x[i]) } }
}
/// d sigmoid = y (1 - y).
public func sigmoidBackward(_ y: UnsafePointer<Float>, _ gradOut: UnsafePointer<Float>,
                            _ gradIn: UnsafeMutablePointer<Float>, _ n: Int, accumulate: Bool = true) {
    parallelFor(n, costPerItem: cheapCost) { s, e in
        if accumulate {
            for i in s..<e { gradIn[i] += gradOut[i] * y[i] * (1 - y[i]) }
        } else {
            for i in s..<e { gradIn[i] = gradOut[i] * y[i] * (1 - y[i]) }
        }
    }
}

import XCTest
@testable import Models

final class WeightInitTests: XCTestCase {
    private func moments(_ t: Tensor) -> (mean: Double, std: Double) {
        let v = t.toArray().map(Double.init)
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        return (mean, variance.squareRoot())
    }

    func testNormalInitLikeTheReference() throws {
        var rng = RNG(seed: 11)
        let net = try makeNetwork(.generator("resnet_6blocks", ngf: 16, norm: .batch), rng: &rng)
        let conv = net.module.namedModules().compactMap { $0.module as? Conv2d }.first { $0.inChannels == 64 }!
        let (mean, std) = moments(conv.weight)
        XCTAssertEqual(mean, 0, accuracy: 0.001)
        XCTAssertEqual(std, 0.02, accuracy: 0.0005)
        let bns = net.module.namedModules().compactMap { $0.module as? BatchNorm2d }
        let gammas = bns.flatMap { $0.weight.toArray() }
        let gammaMoments = moments(Tensor(shape: [gammas.count], values: gammas))
        XCTAssertEqual(gammaMoments.mean, 1, accuracy: 0.003)
        XCTAssertEqual(gammaMoments.std, 0.02, accuracy: 0.002)
        XCTAssertTrue(bns.allSatisfy { $0.bias.toArray().allSatisfy { $0 == 0 } })
        XCTAssertTrue(bns.allSatisfy { $0.runningVar.toArray().allSatisfy { $0 == 1 } })
        let last = net.module.namedModules().compactMap { $0.module as? Conv2d }.last!
        XCTAssertEqual(last.bias?.toArray(), [0, 0, 0])
        XCTAssertGreaterThan(moments(last.weight).std, 0.015)
    }

    func testSameSeedSameWeights() throws {
        let spec = ModelSpec.discriminator("basic", inputNc: 3, ndf: 4, norm: .batch)
        var a = RNG(seed: 2), b = RNG(seed: 2), c = RNG(seed: 3)
        let x = try makeNetwork(spec, rng: &a), y = try makeNetwork(spec, rng: &b), z = try makeNetwork(spec, rng: &c)
        let values = { (n: Network) in Array(UnsafeBufferPointer(start: n.flat.values.pointer, count: n.flat.count)) }
        XCTAssertEqual(values(x), values(y))
        XCTAssertNotEqual(values(x), values(z))
        XCTAssertEqual(x.randomness.rng, y.randomness.rng)
    }

    func testXavierAndKaimingScales() {
        var rng = RNG(seed: 4)
        let conv = Conv2d(32, 64, kernelSize: 4)
        initializeWeights(conv, method: .xavier, gain: 0.02, rng: &rng)
        // fan_in 32*16, fan_out 64*16.
        XCTAssertEqual(moments(conv.weight).std, 0.02 * (2.0 / Double(32 * 16 + 64 * 16)).squareRoot(), accuracy: 2e-5)
        initializeWeights(conv, method: .kaiming, gain: 0.02, rng: &rng)
        XCTAssertEqual(moments(conv.weight).std, (2.0 / Double(32 * 16)).squareRoot(), accuracy: 0.002)
        // ConvTranspose2d weight [in, out, k, k]: PyTorch's fan_in is size(1) * k * k = out * k².
        let convT = ConvTranspose2d(64, 16, kernelSize: 4)
        initializeWeights(convT, method: .kaiming, gain: 0.02, rng: &rng)
        XCTAssertEqual(moments(convT.weight).std, (2.0 / Double(16 * 16)).squareRoot(), accuracy: 0.005)
    }

    func testOrthogonalRowsOrColumns() {
        var rng = RNG(seed: 8)
        for (outC, inC) in [(8, 4), (64, 2)] {  // rows < cols (8 x 64) and rows > cols (64 x 32)
            let conv = Conv2d(inC, outC, kernelSize: 4, bias: true)
            conv.bias!.data[0] = 5
            initializeWeights(conv, method: .orthogonal, gain: 0.5, rng: &rng)
            XCTAssertEqual(conv.bias!.data[0], 0)
            let rows = outC, cols = inC * 16
            let w = conv.weight.toArray().map(Double.init)
            let small = min(rows, cols)
            for i in 0..<small {
                for j in 0..<small {
                    var dot = 0.0
                    if rows <= cols {
                        for k in 0..<cols { dot += w[i * cols + k] * w[j * cols + k] }
                    } else {
                        for k in 0..<rows { dot += w[k * cols + i] * w[k * cols + j] }
                    }
                    XCTAssertEqual(dot, i == j ? 0.25 : 0, accuracy: 1e-5, "\(rows)x\(cols) [\(i),\(j)]")
                }
            }
        }
    }
}

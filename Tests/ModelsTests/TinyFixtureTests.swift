import XCTest
@testable import Models

/// Our own committed fixture (scripts/make_tiny_fixture.py: numpy, float64), so a checkout without
/// ../shared still checks one network end to end: a 1-layer PatchGAN with BatchNorm, batch of 2.
final class TinyFixtureTests: XCTestCase {
    func testTinyPatchDiscriminatorEndToEnd() throws {
        let dir = Fixtures.committed("tiny_nlayer_d1")
        let spec = ModelSpec.discriminator("n_layers", inputNc: 3, ndf: 4, norm: .batch, nLayers: 1)
        let net = try Network.load(contentsOf: dir.appendingPathComponent("weights.safetensors").path, spec: spec)
        let io = try SafeTensorsFile.load(path: dir.appendingPathComponent("io.safetensors").path)
        let input = try io.tensor("input"), target = try io.tensor("target")

        net.eval()
        let outEval = withNoGrad { net(input) }
        XCTAssertEqual(outEval.shape.dims, [2, 1, 4, 4])
        XCTAssertLessThan(maxAbsDifference(outEval, try io.doubles("out_eval")), 2e-6)

        net.train()
        let x = input.copy()
        x.requiresGrad = true
        let out = net(x)
        XCTAssertLessThan(maxAbsDifference(out, try io.doubles("out_train")), 2e-6)
        let loss = mseLoss(out, target)
        XCTAssertLessThan(relativeDifference(loss, try io.doubles("loss")), 1e-6)
        loss.backward()
        XCTAssertLessThan(relativeDifference(try XCTUnwrap(x.grad), try io.doubles("grad.input")), 1e-5)
        for (key, p) in net.namedParameters() {
            XCTAssertLessThan(relativeDifference(try XCTUnwrap(p.grad), try io.doubles("grad." + key)), 1e-5, key)
        }
        XCTAssertEqual(Set(net.parameterNames.map { "grad." + $0 }),
                       Set(io.names.filter { $0.hasPrefix("grad.") && $0 != "grad.input" }))
        for (key, buffer) in net.namedBuffers() {
            switch buffer {
            case .float(let t):
                XCTAssertLessThan(relativeDifference(t, try io.doubles("bn_after_train." + key)), 1e-6, key)
            case .counter(let c):
                XCTAssertEqual(Int64(c.value), try io.int64s("bn_after_train." + key).first)
            }
        }
    }
}

import XCTest
@testable import TensorCore

/// Expected numbers come from an independent float64 evaluation of PyTorch's Adam formulas (numpy):
/// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
final class OptimizerTests: XCTestCase {
    let start1: [Float] = [1, -2, 0.5], start2: [Float] = [0.25, -0.75, 3, 0]
    let grads: [([Float], [Float])] = [
        ([0.1, -0.2, 0.3], [1, -0.5, 2, -3]),
        ([-0.05, 0.4, 0], [0.5, 0.5, -1, 1e-3]),
        ([0.2, 0.1, -0.3], [-2, 0.25, 0.5, 1]),
    ]

    private func parameters() -> (Tensor, Tensor) {
        (Tensor(shape: [3], values: start1, requiresGrad: true), Tensor(shape: [2, 2], values: start2, requiresGrad: true))
    }

    private func setGradients(_ p1: Tensor, _ p2: Tensor, step: Int) {
        _ = p1.gradData(); _ = p2.gradData()
        p1.grad!.assign(from: Tensor(shape: [3], values: grads[step].0))
        p2.grad!.assign(from: Tensor(shape: [2, 2], values: grads[step].1))
    }

    func testOneAdamStep() {
        let (p1, p2) = parameters()
        let adam = Adam(parameters: [p1, p2], lr: 0.1, beta1: 0.9, beta2: 0.999)
        setGradients(p1, p2, step: 0)
        adam.step()
        XCTAssertEqual(adam.stepCount, 1)
        assertValues(p1, [0.900000009999999, -1.9000000049999999, 0.4000000033333332], "p1")
        assertValues(p2, [0.150000001, -0.650000002, 2.9000000005, 0.09999999966666667], "p2")
        assertValues(adam.expAvg[0], [0.01, -0.02, 0.03], "exp_avg")
        assertValues(adam.expAvgSq[1], [0.001, 0.00025, 0.004, 0.009], accuracy: 1e-9, "exp_avg_sq")
        XCTAssertEqual(adam.expAvg[1].shape, [2, 2])
    }

    func testThreeAdamSteps() {
        let (p1, p2) = parameters()
        let adam = Adam(parameters: [p1, p2], lr: 0.1, beta1: 0.9, beta2: 0.999)
        for step in 0..<3 { setGradients(p1, p2, step: step); adam.step() }
        assertValues(p1, [0.8075551543513814, -1.9781754749638347, 0.34158095217336876], "p1")
        assertValues(p2, [0.07741774086205681, -0.6804065897387424, 2.8393233821389425, 0.1958763414465965], "p2")
        assertValues(adam.expAvg[1], [-0.074, 0.0295, 0.122, -0.14291], "exp_avg")
        assertValues(adam.expAvgSq[0], [5.2477510000000055e-05, 0.00020976004000000022, 0.00017982009000000015],
                     accuracy: 1e-9, "exp_avg_sq")
    }

    func testThreeAdamStepsPix2PixBetas() {
        // beta1 = 0.5 (the pix2pix setting) takes the other branch of PyTorch's lerp.
        let (p1, p2) = parameters()
        let adam = Adam(parameters: [p1, p2], lr: 0.01, beta1: 0.5, beta2: 0.999)
        setGradients(p1, p2, step: 0); adam.step()
        setGradients(p1, p2, step: 1); adam.step()
        // Step 2: p1[0]'s moment is exactly 0 (0.5 * 0.05 + 0.5 * -0.05): no move.
        assertValues(p1, [0.9900000009999999, -1.9963236066761336, 0.48528477580433554], "p1 after 2")
        setGradients(p1, p2, step: 2); adam.step()
        assertValues(p1, [0.9813632828309468, -2.001723485435109, 0.49053368174388157], "p1")
        assertValues(p2, [0.23804353301814016, -0.7482828754881571, 2.9878394309992493, 0.013927741385939402], "p2")
    }

    func testParameterWithoutGradientIsSkipped() {
        let (p1, p2) = parameters()
        let adam = Adam(parameters: [p1, p2], lr: 0.1)
        _ = p2.gradData()
        p2.grad!.assign(from: Tensor(shape: [2, 2], values: grads[0].1))
        adam.step()
        XCTAssertEqual(p1.toArray(), start1)
        XCTAssertEqual(adam.expAvg[0].toArray(), [0, 0, 0])
        assertValues(p2, [0.150000001, -0.650000002, 2.9000000005, 0.09999999966666667], "p2")
    }

    func testFlatBlockMatchesSeparateTensors() {
        // The same parameters as views of one storage, gradients as views of another: one fused loop.
        let values = Storage(count: 7), gradients = Storage(count: 7)
        let p1 = Tensor(shape: [3], storage: values, offset: 0, requiresGrad: true)
        let p2 = Tensor(shape: [2, 2], storage: values, offset: 3, requiresGrad: true)
        p1.assign(from: Tensor(shape: [3], values: start1)); p2.assign(from: Tensor(shape: [2, 2], values: start2))
        p1.grad = Tensor(shape: [3], storage: gradients, offset: 0)
        p2.grad = Tensor(shape: [2, 2], storage: gradients, offset: 3)
        XCTAssertEqual(contiguousBlocks([p1, p2]), [ParameterBlock(first: 0, parameterCount: 2, count: 7)])

        let (q1, q2) = parameters()
        XCTAssertEqual(contiguousBlocks([q1, q2]).count, 0, "no gradients yet: nothing to update")
        let flat = Adam(parameters: [p1, p2], lr: 0.1), separate = Adam(parameters: [q1, q2], lr: 0.1)
        for step in 0..<3 {
            setGradients(p1, p2, step: step); setGradients(q1, q2, step: step)
            XCTAssertEqual(contiguousBlocks([q1, q2]).count, 2)
            flat.step(); separate.step()
        }
        XCTAssertEqual(p1.toArray() + p2.toArray(), q1.toArray() + q2.toArray())
        XCTAssertEqual(flat.expAvgSq[1].toArray(), separate.expAvgSq[1].toArray())
        // Parameters in reverse order are not adjacent: two blocks.
        XCTAssertEqual(contiguousBlocks([p2, p1]).count, 2)
    }

    func testSGDStep() {
        let (p1, p2) = parameters()
        let sgd = SGD(parameters: [p1, p2], lr: 0.5)
        setGradients(p1, p2, step: 0)
        sgd.step()
        XCTAssertEqual(p1.toArray(), [0.95, -1.9, 0.35])
        XCTAssertEqual(p2.toArray(), [-0.25, -0.5, 2, 1.5])
        sgd.zeroGrad()
        XCTAssertEqual(p2.grad!.toArray(), [0, 0, 0, 0])
        sgd.step()
        XCTAssertEqual(p2.toArray(), [-0.25, -0.5, 2, 1.5])
    }
}

import Kernels

// Backward closures capture the output `unowned` (it owns the closure) and the input strongly.
extension Tensor {
    public func relu() -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        reluForward(x.data, out.data, n)
        return out.recorded(from: [x]) { g in reluBackward(x.data, g, x.gradData(), n) }
    }

    /// max(x, 0) + slope * min(x, 0) (PyTorch LeakyReLU).
    public func leakyRelu(_ slope: Float) -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        leakyReluForward(x.data, out.data, slope: slope, n)
        return out.recorded(from: [x]) { g in leakyReluBackward(x.data, g, x.gradData(), slope: slope, n) }
    }

    public func tanh() -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        tanhForward(x.data, out.data, n)
        return out.recorded(from: [x]) { [unowned out] g in tanhBackward(out.data, g, x.gradData(), n) }
    }

    public func sigmoid() -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        sigmoidForward(x.data, out.data, n)
        return out.recorded(from: [x]) { [unowned out] g in sigmoidBackward(out.data, g, x.gradData(), n) }
    }
}

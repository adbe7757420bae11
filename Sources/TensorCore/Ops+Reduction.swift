import Kernels

extension Tensor {
    /// Sum of all elements, shape [1].
    public func sum() -> Tensor {
        let x = self, n = count
        let out = Tensor(scalar: Float(sumAll(x.data, n)))
        return out.recorded(from: [x]) { g in addScalar(g[0], into: x.gradData(), n) }
    }

    /// Mean of all elements, shape [1].
    public func mean() -> Tensor {
        let x = self, n = count
        precondition(n > 0, "mean of an empty tensor")
        let out = Tensor(scalar: Float(sumAll(x.data, n) / Double(n)))
        return out.recorded(from: [x]) { g in addScalar(g[0] / Float(n), into: x.gradData(), n) }
    }
}

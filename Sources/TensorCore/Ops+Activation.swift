import Kernels

// Backward steps keep only what they read: the output's values (`savedView()`, never the output tensor
// itself) and the input's graph node for its gradient.
// ReLU and LeakyReLU (positive slope) pass the gradient where the output is positive, which is exactly where
// the input is, so they keep whichever of the two is kept anyway: the input when an earlier backward step
// saved it (e.g. InstanceNorm's output before a ReLU), else the output (usually the next conv's input).
extension Tensor {
    public func relu() -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        reluForward(x.data, out.data, n)
        guard willRecord(x) else { return out }
        let signSource = x.storage.isSavedForBackward ? x.savedView() : out.savedView(), xNode = x.node
        return out.recorded(from: [x]) { g in
            let dx = xNode.gradDataForWriting()
            reluBackward(signSource.data, g, dx.data, n, accumulate: !dx.overwrite)
        }
    }

    /// max(x, 0) + slope * min(x, 0) (PyTorch LeakyReLU).
    public func leakyRelu(_ slope: Float) -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        leakyReluForward(x.data, out.data, slope: slope, n)
        guard willRecord(x) else { return out }
        // With slope <= 0 the output's sign no longer tells the input's, so keep the input.
        let signSource = slope > 0 && !x.storage.isSavedForBackward ? out.savedView() : x.savedView()
        let xNode = x.node
        return out.recorded(from: [x]) { g in
            let dx = xNode.gradDataForWriting()
            leakyReluBackward(signSource.data, g, dx.data, slope: slope, n, accumulate: !dx.overwrite)
        }
    }

    public func tanh() -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        tanhForward(x.data, out.data, n)
        guard willRecord(x) else { return out }
        let y = out.savedView(), xNode = x.node
        return out.recorded(from: [x]) { g in
            let dx = xNode.gradDataForWriting()
            tanhBackward(y.data, g, dx.data, n, accumulate: !dx.overwrite)
        }
    }

    public func sigmoid() -> Tensor {
        let x = self, out = Tensor(uninitialized: shape), n = count
        sigmoidForward(x.data, out.data, n)
        guard willRecord(x) else { return out }
        let y = out.savedView(), xNode = x.node
        return out.recorded(from: [x]) { g in
            let dx = xNode.gradDataForWriting()
            sigmoidBackward(y.data, g, dx.data, n, accumulate: !dx.overwrite)
        }
    }
}

import Kernels

/// BatchNorm2d. x: [N,C,H,W]; weight, bias, runningMean, runningVar: [C].
/// training: normalise with the batch mean and biased variance; if running buffers are given, update them
/// in place (momentum 0.1, unbiased variance). eval (training == false): normalise with the running stats.
/// Without running buffers the batch statistics are used in both modes (PyTorch's track_running_stats=False).
public func batchNorm2d(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                        training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    let s = x.shape
    precondition(s.rank == 4, "batchNorm2d: expected NCHW input, got \(s)")
    let c = s.c
    for (name, t) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVar", runningVar)] {
        if let t { precondition(t.count == c, "batchNorm2d: \(name) \(t.shape) for \(c) channels") }
    }
    precondition((runningMean == nil) == (runningVar == nil), "batchNorm2d: give both running buffers or neither")
    let useBatchStatistics = training || runningMean == nil
    let perChannel = s.n * s.h * s.w
    if useBatchStatistics {
        precondition(perChannel > 1, "batchNorm2d: expected more than 1 value per channel when training, got \(s)")
    }
    // stats row 0: mean, row 1: 1/sqrt(var + eps); kept for backward.
    let stats = Tensor(zeros: [2, c])
    let mean = stats.data, invStd = stats.data + c
    if useBatchStatistics {
        let (batchMean, batchVar) = channelStatistics(x, groups: c, segments: s.n, length: s.h * s.w)
        for k in 0..<c {
            mean[k] = Float(batchMean[k])
            invStd[k] = Float(1 / (batchVar[k] + Double(eps)).squareRoot())
        }
        if training, let runningMean, let runningVar {
            let rm = runningMean.data, rv = runningVar.data
            let unbiased = Double(perChannel) / Double(perChannel - 1)
            for k in 0..<c {
                rm[k] = (1 - momentum) * rm[k] + momentum * mean[k]
                rv[k] = (1 - momentum) * rv[k] + momentum * Float(batchVar[k] * unbiased)
            }
        }
    } else {
        let rm = runningMean!.data, rv = runningVar!.data
        for k in 0..<c {
            mean[k] = rm[k]
            invStd[k] = Float(1 / (Double(rv[k]) + Double(eps)).squareRoot())
        }
    }
    let out = Tensor(uninitialized: s)
    normForward(x.data, out.data, groups: c, segments: s.n, length: s.h * s.w,
                mean: mean, invStd: invStd, weight: weight?.data, bias: bias?.data)
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    return out.recorded(from: inputs) { g in
        let dx = x.requiresGrad ? x.node.gradDataForWriting() : nil
        normBackward(x.data, g,
                     gradInput: dx?.data,
                     gradWeight: weight?.requiresGrad == true ? weight!.gradData() : nil,
                     gradBias: bias?.requiresGrad == true ? bias!.gradData() : nil,
                     groups: c, segments: s.n, length: s.h * s.w,
                     mean: stats.data, invStd: stats.data + c, weight: weight?.data,
                     batchStatistics: useBatchStatistics, accumulateInput: !(dx?.overwrite ?? false))
    }
}

/// InstanceNorm2d (affine=false, no running stats): each (n, c) plane to zero mean, unit biased variance.
public func instanceNorm2d(_ x: Tensor, eps: Float = 1e-5) -> Tensor {
    let s = x.shape
    precondition(s.rank == 4, "instanceNorm2d: expected NCHW input, got \(s)")
    let planes = s.n * s.c, length = s.h * s.w
    precondition(length > 1, "instanceNorm2d: expected more than 1 spatial element, got \(s)")
    let stats = Tensor(zeros: [2, planes])
    let mean = stats.data, invStd = stats.data + planes
    let (planeMean, planeVar) = channelStatistics(x, groups: planes, segments: 1, length: length)
    for k in 0..<planes {
        mean[k] = Float(planeMean[k])
        invStd[k] = Float(1 / (planeVar[k] + Double(eps)).squareRoot())
    }
    let out = Tensor(uninitialized: s)
    normForward(x.data, out.data, groups: planes, segments: 1, length: length,
                mean: mean, invStd: invStd, weight: nil, bias: nil)
    guard willRecord(x) else { return out }
    // Backward reads the output (the normalised values) rather than the input, so the input can be freed.
    let y = out.savedView(), xNode = x.node
    return out.recorded(from: [x]) { g in
        let dx = xNode.gradDataForWriting()
        normBackwardFromOutput(y.data, g, gradInput: dx.data, groups: planes, segments: 1,
                               length: length, invStd: stats.data + planes, accumulate: !dx.overwrite)
    }
}

/// Mean and biased variance per group in Double (see Kernels/Norm.swift for the group layout).
private func channelStatistics(_ x: Tensor, groups: Int, segments: Int, length: Int) -> (mean: [Double], variance: [Double]) {
    var mean = [Double](repeating: 0, count: groups), variance = [Double](repeating: 0, count: groups)
    mean.withUnsafeMutableBufferPointer { m in
        variance.withUnsafeMutableBufferPointer { v in
            normStatistics(x.data, groups: groups, segments: segments, length: length,
                           mean: m.baseAddress!, variance: v.baseAddress!)
        }
    }
    return (mean, variance)
}

import Kernels

/// 2-D convolution. x: [N,C,H,W], weight: [O,C,kh,kw], bias: [O] → [N,O,H',W'] with
/// H' = (H + 2*padding - kh) / stride + 1 (PyTorch Conv2d, zero padding).
/// `winogradWeights`: transforms of this very weight kept by a caller whose weights do not change meanwhile
/// (a frozen layer), so a Winograd layer skips its weight transforms.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                   winogradWeights: WinogradWeights? = nil) -> Tensor {
    let s = x.shape, ws = weight.shape
    precondition(s.rank == 4, "conv2d: expected NCHW input, got \(s)")
    precondition(ws.rank == 4, "conv2d: expected weight [O,C,kh,kw], got \(ws)")
    precondition(ws[1] == s.c, "conv2d: weight \(ws) expects \(ws[1]) input channels, input \(s) has \(s.c)")
    precondition(stride >= 1, "conv2d: stride \(stride) must be ≥ 1")
    precondition(padding >= 0, "conv2d: negative padding \(padding)")
    precondition(s.h + 2 * padding >= ws[2] && s.w + 2 * padding >= ws[3],
                 "conv2d: kernel \(ws[2])x\(ws[3]) larger than padded input \(s.h + 2 * padding)x\(s.w + 2 * padding)")
    let o = ws[0]
    if let bias { precondition(bias.count == o, "conv2d: bias \(bias.shape) for \(o) output channels") }
    let g = ConvGeometry(channels: s.c, height: s.h, width: s.w, kernelH: ws[2], kernelW: ws[3],
                         stride: stride, padding: padding)
    let batch = s.n
    let y = Tensor(uninitialized: [batch, o, g.outHeight, g.outWidth])  // every lowering writes all of it
    let kept = conv2dUsesWinograd(outChannels: o, geometry: g) ? winogradWeights : nil
    let keptStrided = conv2dUsesPolyphaseWinograd(outChannels: o, geometry: g, weightsKept: winogradWeights != nil)
        ? winogradWeights?.stridedPointer(for: weight) : nil
    let count = conv2dWorkspaceCount(outChannels: o, geometry: g, winogradWeightsKept: keptStrided != nil)
    ConvWorkspace.shared.withBuffer(count: count) { workspace in
        conv2dForward(x: x.data, weight: weight.data, bias: bias?.data, y: y.data, batch: batch,
                      outChannels: o, geometry: g, workspace: workspace,
                      winogradWeights: keptStrided ?? kept?.pointer(for: weight))
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return y.recorded(from: inputs) { gradOut in
        // Made from the weights as they are now, like the transform it replaces.
        let flipped = x.requiresGrad ? kept?.flippedPointer(for: weight) : nil
        ConvWorkspace.shared.withBuffer(count: conv2dWorkspaceCount(outChannels: o, geometry: g)) { workspace in
            conv2dBackward(gradOut: gradOut, x: x.data, weight: weight.data,
                           gradX: x.requiresGrad ? x.gradData() : nil,
                           gradWeight: weight.requiresGrad ? weight.gradData() : nil,
                           gradBias: bias?.requiresGrad == true ? bias?.gradData() : nil,
                           batch: batch, outChannels: o, geometry: g, workspace: workspace,
                           winogradFlippedWeights: flipped)
        }
    }
}

/// conv2d (stride 1, no padding of its own) of x reflection-padded by `padding`: PyTorch's
/// `ReflectionPad2d(padding)` followed by `Conv2d(padding=0)`, as in the ResNet generator's blocks.
/// A layer that runs through Winograd reads x through the reflection in its input transform and folds its input
/// gradient back the same way, so the padded copy is never made, kept for backward or differentiated (the
/// residual blocks' 3x3 convs). Other layers pad explicitly and call `conv2d`.
public func reflectionPaddedConv2d(_ x: Tensor, padding: Int, weight: Tensor, bias: Tensor?,
                                   winogradWeights: WinogradWeights? = nil) -> Tensor {
    let s = x.shape, ws = weight.shape
    precondition(s.rank == 4 && ws.rank == 4 && ws[1] == s.c,
                 "reflectionPaddedConv2d: weight \(ws) does not apply to input \(s)")
    precondition(padding >= 0 && padding < s.h && padding < s.w,
                 "reflectionPaddedConv2d: padding \(padding) must be below the input size \(s.h)x\(s.w)")
    let o = ws[0]
    if let bias { precondition(bias.count == o, "reflectionPaddedConv2d: bias \(bias.shape) for \(o) output channels") }
    let g = ConvGeometry(channels: s.c, height: s.h, width: s.w, kernelH: ws[2], kernelW: ws[3], stride: 1,
                         padding: padding)
    // Choose the lowering as for the explicitly padded input, so both forms run the same algorithm.
    let padded = g.paddingMaterialized
    guard padding > 0, conv2dUsesWinograd(outChannels: o, geometry: padded) else {
        return conv2d(reflectionPad2d(x, padding), weight: weight, bias: bias, winogradWeights: winogradWeights)
    }
    let batch = s.n
    let y = Tensor(uninitialized: [batch, o, g.outHeight, g.outWidth])
    let count = conv2dWorkspaceCount(outChannels: o, geometry: padded)
    ConvWorkspace.shared.withBuffer(count: count) { workspace in
        winogradConv2dForward(x: x.data, weight: weight.data, bias: bias?.data, y: y.data, batch: batch,
                              outChannels: o, geometry: g, workspace: workspace,
                              transformedWeights: winogradWeights?.pointer(for: weight), reflect: true)
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return y.recorded(from: inputs) { gradOut in
        let flipped = x.requiresGrad ? winogradWeights?.flippedPointer(for: weight) : nil
        if let bias, bias.requiresGrad {
            convBiasBackward(gradOut, bias.gradData(), batch: batch, channels: o, plane: g.outputPlane)
        }
        guard x.requiresGrad || weight.requiresGrad else { return }
        ConvWorkspace.shared.withBuffer(count: count) { workspace in
            winogradConv2dBackward(gradOut: gradOut, x: x.data, weight: weight.data,
                                   gradX: x.requiresGrad ? x.gradData() : nil,
                                   gradWeight: weight.requiresGrad ? weight.gradData() : nil,
                                   batch: batch, outChannels: o, geometry: g, workspace: workspace,
                                   flippedWeights: flipped, reflect: true)
        }
    }
}

/// 2-D transposed convolution (PyTorch semantics). x: [N,Cin,H,W], weight: [Cin,Cout,kh,kw], bias: [Cout]
/// → [N,Cout,(H-1)*stride - 2*padding + kh + outputPadding, …].
/// `winogradWeights`: as for `conv2d` (used by 4x4 stride-2 layers that run through Winograd, and by layers of
/// 17-64 input pixels for their weight transposed).
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, winogradWeights: WinogradWeights? = nil) -> Tensor {
    let s = x.shape, ws = weight.shape
    precondition(s.rank == 4, "convTranspose2d: expected NCHW input, got \(s)")
    precondition(ws.rank == 4, "convTranspose2d: expected weight [Cin,Cout,kh,kw], got \(ws)")
    precondition(ws[0] == s.c, "convTranspose2d: weight \(ws) expects \(ws[0]) input channels, input \(s) has \(s.c)")
    precondition(stride >= 1, "convTranspose2d: stride \(stride) must be ≥ 1")
    precondition(padding >= 0, "convTranspose2d: negative padding \(padding)")
    precondition(outputPadding >= 0 && outputPadding < stride,
                 "convTranspose2d: outputPadding \(outputPadding) must be in 0..<stride (\(stride))")
    let cin = s.c, cout = ws[1], kh = ws[2], kw = ws[3]
    let oh = (s.h - 1) * stride - 2 * padding + kh + outputPadding
    let ow = (s.w - 1) * stride - 2 * padding + kw + outputPadding
    precondition(oh > 0 && ow > 0,
                 "convTranspose2d: output \(oh)x\(ow) is empty for input \(s.h)x\(s.w), kernel \(kh)x\(kw), padding \(padding)")
    if let bias { precondition(bias.count == cout, "convTranspose2d: bias \(bias.shape) for \(cout) output channels") }
    // The conv that maps the output back to the input (its adjoint) has exactly the input's size.
    let g = ConvGeometry(channels: cout, height: oh, width: ow, kernelH: kh, kernelW: kw,
                         stride: stride, padding: padding)
    assert(g.outHeight == s.h && g.outWidth == s.w, "convTranspose2d: geometry does not invert")
    let batch = s.n
    let winograd = convTranspose2dUsesWinograd(inChannels: cin, geometry: g, weightsKept: winogradWeights != nil)
    // Columns are added onto a zero-filled y; Winograd writes all of it.
    let y = winograd ? Tensor(uninitialized: [batch, cout, oh, ow]) : Tensor(zeros: [batch, cout, oh, ow])
    let kept = winograd ? winogradWeights?.transposedPointer(for: weight) : nil
    let keptTransposed = convTranspose2dKeepsTransposedWeight(inChannels: cin, geometry: g)
        ? winogradWeights?.transposedMatrixPointer(for: weight) : nil
    let count = convTranspose2dForwardWorkspaceCount(inChannels: cin, geometry: g, winogradWeightsKept: kept != nil)
    ConvWorkspace.shared.withBuffer(count: count) { workspace in
        convTranspose2dForward(x: x.data, weight: weight.data, bias: bias?.data, y: y.data, batch: batch,
                               inChannels: cin, geometry: g, workspace: workspace, winogradWeights: kept,
                               transposedWeight: keptTransposed)
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return y.recorded(from: inputs) { gradOut in
        ConvWorkspace.shared.withBuffer(count: convTranspose2dBackwardWorkspaceCount(inChannels: cin, geometry: g)) {
            workspace in
            convTranspose2dBackward(gradOut: gradOut, x: x.data, weight: weight.data,
                                    gradX: x.requiresGrad ? x.gradData() : nil,
                                    gradWeight: weight.requiresGrad ? weight.gradData() : nil,
                                    gradBias: bias?.requiresGrad == true ? bias?.gradData() : nil,
                                    batch: batch, inChannels: cin, geometry: g, workspace: workspace)
        }
    }
}

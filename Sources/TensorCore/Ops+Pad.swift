import Kernels

/// Reflection padding of H and W by `pad` on every side (PyTorch ReflectionPad2d). x: [N,C,H,W].
/// As in PyTorch, `pad` must be smaller than H and W (the edge is not repeated).
public func reflectionPad2d(_ x: Tensor, _ pad: Int) -> Tensor {
    let s = x.shape
    precondition(s.rank == 4, "reflectionPad2d: expected NCHW input, got \(s)")
    precondition(pad >= 0 && pad < s.h && pad < s.w,
                 "reflectionPad2d: padding \(pad) must be below the input size \(s.h)x\(s.w)")
    let out = Tensor(uninitialized: [s.n, s.c, s.h + 2 * pad, s.w + 2 * pad])
    let planes = s.n * s.c, h = s.h, w = s.w
    reflectionPad2dForward(x.data, out.data, planes: planes, h: h, w: w, pad: pad)
    guard willRecord(x) else { return out }
    let xNode = x.node  // backward only routes the gradient: the input's values are not kept
    return out.recorded(from: [x]) { g in
        reflectionPad2dBackward(g, xNode.gradData(), planes: planes, h: h, w: w, pad: pad)
    }
}

/// Zero padding of H and W by `pad` on every side. x: [N,C,H,W].
public func zeroPad2d(_ x: Tensor, _ pad: Int) -> Tensor {
    let s = x.shape
    precondition(s.rank == 4, "zeroPad2d: expected NCHW input, got \(s)")
    precondition(pad >= 0, "zeroPad2d: negative padding \(pad)")
    let out = Tensor(uninitialized: [s.n, s.c, s.h + 2 * pad, s.w + 2 * pad])
    let planes = s.n * s.c, h = s.h, w = s.w
    zeroPad2dForward(x.data, out.data, planes: planes, h: h, w: w, pad: pad)
    guard willRecord(x) else { return out }
    let xNode = x.node  // backward only routes the gradient: the input's values are not kept
    return out.recorded(from: [x]) { g in
        zeroPad2dBackward(g, xNode.gradData(), planes: planes, h: h, w: w, pad: pad)
    }
}

/// InstanceNorm2d as the reference uses it: affine=False, track_running_stats=False, so no tensors at all and
/// the same computation in training and evaluation (each (n, c) plane to zero mean, unit biased variance).
public final class InstanceNorm2d: Module {
    public let channels: Int
    public let eps: Float

    public init(_ channels: Int, eps: Float = 1e-5) {
        self.channels = channels
        self.eps = eps
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { instanceNorm2d(x, eps: eps) }

    public override var extraDescription: String {
        "\(channels), eps=\(eps), momentum=0.1, affine=False, bias=False, track_running_stats=False"
    }
}

/// The reference's `--norm` choice and the layer it builds (`get_norm_layer`).
public enum NormKind: String, Codable, Sendable, CaseIterable {
    /// BatchNorm2d(affine, running statistics).
    case batch
    /// InstanceNorm2d(affine=False, no running statistics): no tensors.
    case instance
    /// Identity (still occupies an index in the Sequential, like the reference's `Identity()`).
    case none

    /// A new normalisation layer for `channels` channels.
    public func makeLayer(_ channels: Int) -> Module {
        switch self {
        case .batch: return BatchNorm2d(channels)
        case .instance: return InstanceNorm2d(channels)
        case .none: return Identity()
        }
    }

    /// The reference's `use_bias = (norm_layer is InstanceNorm2d)`: convolutions followed by a norm layer
    /// (and a few others, see each network) carry a bias only with instance norm.
    public var convolutionsUseBias: Bool { self == .instance }
}

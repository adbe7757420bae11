import CSIMD

// Unaligned vector loads and stores and prefetch hints on Float pointers, for the loops that vectorise by hand.

@inline(__always) @usableFromInline
func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

@inline(__always) @usableFromInline
func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
}

@inline(__always) @usableFromInline
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) @usableFromInline
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Requests the cache line holding `p[0]` (see `translate_prefetch`; it may point past the end).
@inline(__always) @usableFromInline
func prefetch(_ p: UnsafePointer<Float>) { translate_prefetch(UnsafeRawPointer(p)) }

import TensorCore

/// History of generated images for the CycleGAN discriminators (the reference's util/image_pool.py).
///
/// Until the pool holds `capacity` images each query returns its inputs and stores copies. Afterwards,
/// each image is, with probability 1/2, swapped for a random stored one (which is returned) or returned
/// as is. Stored images are copies, so nothing of the step's graph is kept alive.
public struct ImagePool {
    public let capacity: Int
    public private(set) var images: [Tensor] = []

    public init(capacity: Int) { self.capacity = capacity }

    /// Restores a saved pool (exact resume).
    public init(capacity: Int, images: [Tensor]) {
        self.capacity = capacity
        self.images = images.map { $0.copy() }
    }

    /// `batch`: [N, C, H, W] generated images. Returns a new [N, C, H, W] tensor, detached.
    public mutating func query(_ batch: Tensor, rng: inout RNG) -> Tensor {
        if capacity == 0 { return batch.detached() }
        let n = batch.shape[0]
        let per = batch.count / n
        let itemShape = Shape([1] + Array(batch.shape.dims.dropFirst()))
        let out = Tensor(zeros: batch.shape)
        for i in 0..<n {
            let image = Tensor(zeros: itemShape)
            image.data.update(from: batch.data + i * per, count: per)
            var chosen = image
            if images.count < capacity {
                images.append(image)
            } else if rng.uniform() > 0.5 {
                let slot = rng.int(below: capacity)
                chosen = images[slot]
                images[slot] = image
            }
            (out.data + i * per).update(from: chosen.data, count: per)
        }
        return out
    }
}

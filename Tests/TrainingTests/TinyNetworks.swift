@testable import Training

/// Small networks and data shared by the trainer tests (fast enough for the unit suite).
enum Tiny {
    static func pix2pix(seed: UInt64 = 3, ganMode: GANMode = .vanilla, norm: NormKind = .batch) throws -> Pix2PixTrainer {
        var rng = RNG(seed: seed)
        let g = try makeNetwork(.generator("unet", inputNc: 3, outputNc: 3, ngf: 4, norm: norm, dropout: true, numDowns: 5), rng: &rng)
        let d = try makeNetwork(.discriminator("n_layers", inputNc: 6, ndf: 4, norm: norm, nLayers: 2), rng: &rng)
        return Pix2PixTrainer(netG: g, netD: d, ganMode: ganMode, lambdaL1: 100, lr: 2e-3, beta1: 0.5, seed: seed)
    }

    static func cycleGAN(seed: UInt64 = 4, ganMode: GANMode = .lsgan) throws -> CycleGANTrainer {
        var rng = RNG(seed: seed)
        let spec = ModelSpec.generator("resnet_1blocks", inputNc: 3, outputNc: 3, ngf: 4, norm: .instance, dropout: false)
        let ga = try makeNetwork(spec, rng: &rng), gb = try makeNetwork(spec, rng: &rng)
        let dspec = ModelSpec.discriminator("n_layers", inputNc: 3, ndf: 4, norm: .instance, nLayers: 1)
        let da = try makeNetwork(dspec, rng: &rng), db = try makeNetwork(dspec, rng: &rng)
        return CycleGANTrainer(netGA: ga, netGB: gb, netDA: da, netDB: db, ganMode: ganMode, lambdaA: 10, lambdaB: 10,
                               lambdaIdentity: 0.5, poolSize: 3, lr: 2e-4, beta1: 0.5, seed: seed)
    }

    /// A smooth pair: B is a colour-shifted, flipped version of A.
    static func pair(size: Int = 32, seed: UInt64 = 9) -> (a: Tensor, b: Tensor) {
        let a = Tensor(zeros: [1, 3, size, size]), b = Tensor(zeros: [1, 3, size, size])
        var rng = RNG(seed: seed)
        let fx = rng.uniform(1, 3), fy = rng.uniform(1, 3)
        for c in 0..<3 { for y in 0..<size { for x in 0..<size {
            let u = Float(x) / Float(size), v = Float(y) / Float(size)
            let value = sin(fx * 6.28 * u + Float(c)) * cos(fy * 6.28 * v)
            a[0, c, y, x] = value * 0.8
            b[0, c, y, size - 1 - x] = (value * 0.5 + 0.3 * Float(c) - 0.3)
        } } }
        return (a, b)
    }
}

import Foundation

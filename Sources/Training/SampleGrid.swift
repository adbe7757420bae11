import Foundation
import ImageData

/// Sample pictures of a step: the first image of each named visual side by side, in rows of `perRow`.
public enum SampleGrid {
    public static func make(_ visuals: [(name: String, image: Tensor)], perRow: Int) -> RGBImage? {
        let images = visuals.map { RGBImage(tensor: $0.image, index: 0).toRGB() }
        guard let first = images.first else { return nil }
        let w = first.width, h = first.height, gap = 4
        let cols = min(perRow, images.count), rows = (images.count + perRow - 1) / perRow
        let width = cols * w + (cols - 1) * gap, height = rows * h + (rows - 1) * gap
        var grid = RGBImage(width: width, height: height, channels: 3, fill: 255)
        for (k, image) in images.enumerated() where image.width == w && image.height == h {
            let x0 = (k % perRow) * (w + gap), y0 = (k / perRow) * (h + gap)
            for y in 0..<h {
                let src = y * w * 3, dst = ((y0 + y) * width + x0) * 3
                for i in 0..<(w * 3) { grid.pixels[dst + i] = image.pixels[src + i] }
            }
        }
        return grid
    }
}

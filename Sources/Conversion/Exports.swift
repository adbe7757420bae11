@_exported import Models
@_exported import ImageData

import SafeTensors

/// Weights in and out by state_dict key, through safetensors files that PyTorch reads with
/// `safetensors.torch.load_file` + `load_state_dict(strict=True)` and writes with `save_file(net.state_dict())`.
extension Network {
    /// One expected tensor of the state dict.
    struct StateEntry {
        enum Kind { case parameter(Tensor), floatBuffer(Tensor), counter(Counter) }
        let key: String
        let kind: Kind

        var shape: [Int] {
            switch kind {
            case .parameter(let t), .floatBuffer(let t): return t.shape.dims
            case .counter: return []
            }
        }
    }

    /// The state dict in PyTorch's order: each module's parameters, then its buffers, depth first.
    func stateEntries() -> [StateEntry] {
        var entries: [StateEntry] = []
        module.visitModules { path, m in
            for p in m.localParameters {
                entries.append(StateEntry(key: Module.join(path, p.name), kind: .parameter(p.tensor)))
            }
            for b in m.localBuffers {
                let key = Module.join(path, b.name)
                switch b.buffer {
                case .float(let t): entries.append(StateEntry(key: key, kind: .floatBuffer(t)))
                case .counter(let c): entries.append(StateEntry(key: key, kind: .counter(c)))
                }
            }
        }
        return entries
    }

    /// The state_dict keys in PyTorch's order.
    public var stateDictKeys: [String] { stateEntries().map(\.key) }

    /// The state dict as a safetensors file: F32 parameters and running statistics, `num_batches_tracked` as a
    /// 0-d I64, and the architecture in `__metadata__` (`spec.metadata` plus `extraMetadata`).
    public func stateDict(extraMetadata: [String: String] = [:]) -> SafeTensorsFile {
        stateDict(extraMetadata: extraMetadata, borrowingValues: false)
    }

    /// Writes `stateDict(extraMetadata:)` to `path` atomically, streaming the values from the network's own
    /// memory (no copy of the weights, which is 218 MB for unet_256).
    public func save(to path: String, extraMetadata: [String: String] = [:]) throws {
        try stateDict(extraMetadata: extraMetadata, borrowingValues: true).write(to: path)
    }

    /// With `borrowingValues`, the file's float tensors are views of the network's tensors (valid until they
    /// change) instead of copies.
    private func stateDict(extraMetadata: [String: String], borrowingValues: Bool) -> SafeTensorsFile {
        var file = SafeTensorsFile()
        file.metadata = spec.metadata.merging(extraMetadata) { _, extra in extra }
        for entry in stateEntries() {
            switch entry.kind {
            case .parameter(let t), .floatBuffer(let t):
                let values = UnsafeBufferPointer(start: t.data, count: t.count)
                if borrowingValues {
                    file.setFloats(entry.key, borrowing: values, owner: t.storage, shape: t.shape.dims)
                } else {
                    file.setFloats(entry.key, values, shape: t.shape.dims)
                }
            case .counter(let c):
                file.setInt64s(entry.key, [Int64(c.value)], shape: [])
            }
        }
        return file
    }

    /// Copies every tensor of `stateDict` into this network after checking all keys, shapes and dtypes first
    /// (nothing changes when it throws). Throws one `StateDictError` listing every missing, unexpected and
    /// mismatched key. Like PyTorch: float tensors of any float dtype are converted; a 0-d counter may also
    /// come as shape [1]; a missing `num_batches_tracked` is set to 0. Like the reference's loader, stale
    /// InstanceNorm running statistics (from PyTorch < 0.4 checkpoints) are ignored, and a `module.` prefix
    /// on every key (DataParallel) is stripped. `strict: false` ignores missing and unexpected keys but not
    /// mismatches.
    public func load(stateDict file: SafeTensorsFile, strict: Bool = true) throws {
        let entries = stateEntries()
        let expectedKeys = Set(entries.map(\.key))
        var names = file.names
        var prefix = ""
        if !names.isEmpty, names.allSatisfy({ $0.hasPrefix("module.") }),
           !expectedKeys.contains(where: { $0.hasPrefix("module.") }) {
            prefix = "module."
            names = names.map { String($0.dropFirst(prefix.count)) }
        }
        let present = Set(names)
        let instanceNormPaths = Set(module.namedModules().filter { $0.module is InstanceNorm2d }.map(\.name))

        var missing: [String] = [], mismatched: [StateDictError.Mismatch] = []
        for entry in entries {
            let key = entry.key
            guard present.contains(key) else {
                if case .counter = entry.kind { continue }  // PyTorch fills a missing num_batches_tracked with 0
                missing.append(key)
                continue
            }
            let dtype = file.dtype(prefix + key)!, shape = file.shape(prefix + key)!
            let describe = { (s: [Int], d: String) in "\(s) \(d)" }
            switch entry.kind {
            case .parameter, .floatBuffer:
                if !dtype.isFloatingPoint || shape != entry.shape {
                    mismatched.append(.init(key: key, expected: describe(entry.shape, "F32"),
                                            got: describe(shape, dtype.rawValue)))
                }
            case .counter:
                if dtype.isFloatingPoint || !(shape == [] || shape == [1]) {
                    mismatched.append(.init(key: key, expected: describe([], "I64"), got: describe(shape, dtype.rawValue)))
                }
            }
        }
        let unexpected = names.filter { name in
            guard !expectedKeys.contains(name) else { return false }
            if let dot = name.lastIndex(of: "."), instanceNormPaths.contains(String(name[..<dot])),
               ["running_mean", "running_var", "num_batches_tracked"].contains(String(name[name.index(after: dot)...])) {
                return false
            }
            return true
        }
        if !mismatched.isEmpty || (strict && !(missing.isEmpty && unexpected.isEmpty)) {
            throw StateDictError(path: file.path, network: spec.description, missing: strict ? missing : [],
                                 unexpected: strict ? unexpected : [], mismatched: mismatched)
        }
        module.visitModules { _, layer in layer.dropDerivedWeights() }  // a frozen network stays frozen, on new weights
        for entry in entries {
            let name = prefix + entry.key
            switch entry.kind {
            case .parameter(let t), .floatBuffer(let t):
                guard present.contains(entry.key) else { continue }
                try file.copyFloats(name, into: t.data, count: t.count)
            case .counter(let c):
                c.value = present.contains(entry.key) ? Int(try file.int64s(name)[0]) : 0
            }
        }
    }

    /// Builds a network from a safetensors file. Its architecture comes from `spec` when given (needed for a
    /// plain PyTorch state dict), else from the file's `__metadata__` (written by `save(to:)`).
    public static func load(contentsOf path: String, spec: ModelSpec? = nil, strict: Bool = true) throws -> Network {
        let file = try SafeTensorsFile.load(path: path)
        return try Network(stateDict: file, spec: spec, strict: strict)
    }

    /// Builds a network for a state dict (see `load(contentsOf:spec:strict:)`).
    public convenience init(stateDict file: SafeTensorsFile, spec: ModelSpec? = nil, strict: Bool = true) throws {
        let resolved: ModelSpec
        do {
            if let spec {
                resolved = spec
            } else if let stored = try ModelSpec(metadata: file.metadata) {
                resolved = stored
            } else {
                throw NetworkFileError(path: file.path, reason: "no network description in the file's metadata "
                    + "(a plain PyTorch state dict): give the architecture (--netG/--netD, --norm, --ngf/--ndf, ...)")
            }
            try self.init(spec: resolved)
        } catch let error as ModelSpecError {
            throw NetworkFileError(path: file.path, reason: error.reason)
        }
        try load(stateDict: file, strict: strict)
    }
}

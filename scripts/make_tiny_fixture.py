#!/usr/bin/env python3
"""Writes Tests/ModelsTests/Fixtures/tiny_nlayer_d1: a tiny PatchGAN discriminator, end to end, in float64.

The network is the reference's NLayerDiscriminator(input_nc=3, ndf=4, n_layers=1, norm=batch):
    model.0 Conv2d(3, 4, k4 s2 p1, bias)   model.1 LeakyReLU(0.2)
    model.2 Conv2d(4, 8, k4 s1 p1, no bias) model.3 BatchNorm2d(8)  model.4 LeakyReLU(0.2)
    model.5 Conv2d(8, 1, k4 s1 p1, bias)
Forward (eval and train mode), loss = mean((out_train - target)^2), its backward and the BatchNorm buffer
update are computed here independently with numpy in float64 (the backward is checked against central
differences before anything is written). Weights and input are rounded to float32 first, so a float32
implementation only adds its own rounding.

Outputs (safetensors, written by the small writer below):
    weights.safetensors  state_dict (F32; num_batches_tracked I64 0-d), no architecture metadata
                         (like a plain PyTorch export: the test passes the spec)
    io.safetensors       input, target (F32); out_eval, out_train, loss, grad.input, grad.<param>,
                         bn_after_train.<buffer> (F64; num_batches_tracked I64)
Run from the repository root: python3 scripts/make_tiny_fixture.py
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ModelsTests", "Fixtures",
                   "tiny_nlayer_d1")
SLOPE = 0.2
EPS = 1e-5
MOMENTUM = 0.1


# ---------------------------------------------------------------- safetensors writer

def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, numpy array); dtype taken from the array (float32, float64, int64, uint8)."""
    codes = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int64): "I64",
             np.dtype(np.uint8): "U8"}
    header = {}
    blobs = []
    offset = 0
    for name, array in tensors:
        array = np.ascontiguousarray(array)
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": codes[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # data starts 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


# ---------------------------------------------------------------- layers (float64)

def conv_forward(x, w, b, stride, pad):
    """x [N,C,H,W], w [O,C,k,k] -> [N,O,Ho,Wo] (cross-correlation, zero padding)."""
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    y = np.zeros((n, o, ho, wo))
    for ky in range(k):
        for kx in range(k):
            patch = xp[:, :, ky:ky + stride * ho:stride, kx:kx + stride * wo:stride]
            y += np.einsum("oc,nchw->nohw", w[:, :, ky, kx], patch)
    if b is not None:
        y += b[None, :, None, None]
    return y


def conv_backward(x, w, gy, stride, pad):
    """Returns (grad x, grad w, grad b) of conv_forward."""
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    ho, wo = gy.shape[2], gy.shape[3]
    for ky in range(k):
        for kx in range(k):
            sl = (slice(None), slice(None), slice(ky, ky + stride * ho, stride), slice(kx, kx + stride * wo, stride))
            gw[:, :, ky, kx] = np.einsum("nohw,nchw->oc", gy, xp[sl])
            gxp[sl] += np.einsum("oc,nohw->nchw", w[:, :, ky, kx], gy)
    gx = gxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return gx, gw, gy.sum(axis=(0, 2, 3))


def leaky_forward(x):
    return np.where(x > 0, x, SLOPE * x)


def leaky_backward(x, gy):
    return np.where(x > 0, gy, SLOPE * gy)


def bn_train_forward(x, g, b):
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))  # biased, used for normalisation
    inv = 1.0 / np.sqrt(var + EPS)
    xhat = (x - mean[None, :, None, None]) * inv[None, :, None, None]
    return xhat * g[None, :, None, None] + b[None, :, None, None], (xhat, inv, mean, var)


def bn_train_backward(cache, g, gy):
    xhat, inv, _, _ = cache
    m = gy.shape[0] * gy.shape[2] * gy.shape[3]
    gxhat = gy * g[None, :, None, None]
    s1 = gxhat.sum(axis=(0, 2, 3))[None, :, None, None]
    s2 = (gxhat * xhat).sum(axis=(0, 2, 3))[None, :, None, None]
    gx = inv[None, :, None, None] / m * (m * gxhat - s1 - xhat * s2)
    return gx, (gy * xhat).sum(axis=(0, 2, 3)), gy.sum(axis=(0, 2, 3))


def bn_eval_forward(x, g, b, rm, rv):
    inv = 1.0 / np.sqrt(rv + EPS)
    return ((x - rm[None, :, None, None]) * inv[None, :, None, None]) * g[None, :, None, None] + b[None, :, None, None]


# ---------------------------------------------------------------- the network

def forward_eval(p, x):
    a0 = conv_forward(x, p["model.0.weight"], p["model.0.bias"], 2, 1)
    a2 = conv_forward(leaky_forward(a0), p["model.2.weight"], None, 1, 1)
    a3 = bn_eval_forward(a2, p["model.3.weight"], p["model.3.bias"], p["model.3.running_mean"],
                         p["model.3.running_var"])
    return conv_forward(leaky_forward(a3), p["model.5.weight"], p["model.5.bias"], 1, 1)


def forward_train(p, x):
    a0 = conv_forward(x, p["model.0.weight"], p["model.0.bias"], 2, 1)
    h1 = leaky_forward(a0)
    a2 = conv_forward(h1, p["model.2.weight"], None, 1, 1)
    a3, cache = bn_train_forward(a2, p["model.3.weight"], p["model.3.bias"])
    h4 = leaky_forward(a3)
    out = conv_forward(h4, p["model.5.weight"], p["model.5.bias"], 1, 1)
    return out, (a0, h1, a2, a3, h4, cache)


def loss_and_grads(p, x, target):
    out, (a0, h1, a2, a3, h4, cache) = forward_train(p, x)
    loss = np.mean((out - target) ** 2)
    gout = 2.0 * (out - target) / out.size
    grads = {}
    gh4, grads["model.5.weight"], grads["model.5.bias"] = conv_backward(h4, p["model.5.weight"], gout, 1, 1)
    ga3 = leaky_backward(a3, gh4)
    ga2, grads["model.3.weight"], grads["model.3.bias"] = bn_train_backward(cache, p["model.3.weight"], ga3)
    gh1, grads["model.2.weight"], _ = conv_backward(h1, p["model.2.weight"], ga2, 1, 1)
    ga0 = leaky_backward(a0, gh1)
    gx, grads["model.0.weight"], grads["model.0.bias"] = conv_backward(x, p["model.0.weight"], ga0, 2, 1)
    return out, loss, gx, grads, cache


def check_backward(p, x, target, gx, grads, rng):
    """Central differences on a few entries of every parameter and of the input."""
    def loss_of(params, inp):
        out, _ = forward_train(params, inp)
        return np.mean((out - target) ** 2)

    h = 1e-6
    for name, g in list(grads.items()) + [("input", gx)]:
        base = x if name == "input" else p[name]
        for _ in range(4):
            idx = tuple(int(rng.integers(0, s)) for s in base.shape)
            plus = {k: v.copy() for k, v in p.items()}
            minus = {k: v.copy() for k, v in p.items()}
            xp, xm = x.copy(), x.copy()
            if name == "input":
                xp[idx] += h
                xm[idx] -= h
            else:
                plus[name][idx] += h
                minus[name][idx] -= h
            numeric = (loss_of(plus, xp) - loss_of(minus, xm)) / (2 * h)
            scale = max(1e-3, np.abs(g).max())
            assert abs(numeric - g[idx]) <= 1e-6 * scale, (name, idx, numeric, g[idx])


def main():
    rng = np.random.default_rng(20250806)
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    # Weights drawn at a scale that keeps activations O(1), rounded to float32 (what the files hold).
    weights = [
        ("model.0.weight", f32(rng.normal(0, 0.15, (4, 3, 4, 4)))),
        ("model.0.bias", f32(rng.normal(0, 0.05, (4,)))),
        ("model.2.weight", f32(rng.normal(0, 0.12, (8, 4, 4, 4)))),
        ("model.3.weight", f32(rng.normal(1, 0.1, (8,)))),
        ("model.3.bias", f32(rng.normal(0, 0.1, (8,)))),
        ("model.3.running_mean", f32(rng.normal(0, 0.1, (8,)))),
        ("model.3.running_var", f32(rng.uniform(0.5, 1.5, (8,)))),
        ("model.3.num_batches_tracked", np.array(4, dtype=np.int64)),
        ("model.5.weight", f32(rng.normal(0, 0.1, (1, 8, 4, 4)))),
        ("model.5.bias", f32(rng.normal(0, 0.05, (1,)))),
    ]
    x32 = f32(rng.uniform(-1, 1, (2, 3, 12, 12)))
    target32 = f32(rng.uniform(-1, 1, (2, 1, 4, 4)))

    p = {k: v.astype(np.float64) for k, v in weights if v.dtype == np.float32}
    x = x32.astype(np.float64)
    target = target32.astype(np.float64)

    out_eval = forward_eval(p, x)
    out_train, loss, gx, grads, cache = loss_and_grads(p, x, target)
    check_backward(p, x, target, gx, grads, rng)

    _, _, mean, var = cache
    xhat = cache[0]
    m = xhat.shape[0] * xhat.shape[2] * xhat.shape[3]  # values per channel
    running_mean = (1 - MOMENTUM) * p["model.3.running_mean"] + MOMENTUM * mean
    running_var = (1 - MOMENTUM) * p["model.3.running_var"] + MOMENTUM * var * m / (m - 1)

    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, "weights.safetensors"), weights,
                      {"format": "pt", "source": "scripts/make_tiny_fixture.py"})
    io = [("input", x32), ("target", target32), ("out_eval", out_eval), ("out_train", out_train),
          ("loss", np.array([loss])), ("grad.input", gx)]
    io += [("grad." + name, grads[name]) for name, _ in weights if name in grads]
    io += [("bn_after_train.model.3.running_mean", running_mean),
           ("bn_after_train.model.3.running_var", running_var),
           ("bn_after_train.model.3.num_batches_tracked", np.array(5, dtype=np.int64))]
    write_safetensors(os.path.join(OUT, "io.safetensors"), io,
                      {"network": "NLayerDiscriminator(input_nc=3, ndf=4, n_layers=1, norm=batch)"})
    print("wrote", OUT, "loss", loss, "out_eval[0,0,0,:]", out_eval[0, 0, 0, :])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The PyTorch side of issue 7's comparison: the same six workloads as `translate bench-workloads`, run by
PyTorch on the reference implementation's networks, on this machine, so both sides can be compared in one
sitting (interleave: run this right before or after `translate bench-workloads`).

Usage: scripts/bench_pytorch.py --networks PATH/TO/models/networks.py [--steps 5] [--threads 2]
       [--filter name,name] [--json]
Needs `pip install torch` (scripts only; the product never uses Python). Each workload runs in its own child
process so its peak RSS (ru_maxrss) is its own. Steps follow the reference's optimize_parameters: pix2pix
(D then G with GAN + 100·L1, vanilla GAN loss), CycleGAN (G_A+G_B with lsgan, cycle and identity losses,
then D_A and D_B); batch 1, Adam(2e-4, 0.5, 0.999); the image pool is omitted (it costs no compute).
"""
import argparse, importlib.util, json, resource, subprocess, sys, time

WORKLOADS = ["pix2pix_unet256_train", "pix2pix_unet128_train", "cyclegan_resnet9_256_train",
             "cyclegan_resnet9_128_train", "unet256_infer", "resnet9_infer"]


def load_networks(path):
    spec = importlib.util.spec_from_file_location("ref_networks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_one(name, networks_path, steps, threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    N = load_networks(networks_path)
    adam = lambda params: torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))
    l1 = torch.nn.L1Loss()

    if name.startswith("pix2pix"):
        size, netG = (256, "unet_256") if "256" in name else (128, "unet_128")
        G = N.define_G(3, 3, 64, netG, "batch", True, "normal", 0.02)
        D = N.define_D(6, 64, "basic", 3, "batch", "normal", 0.02)
        gan = N.GANLoss("vanilla")
        oG, oD = adam(G.parameters()), adam(D.parameters())
        A, B = torch.randn(1, 3, size, size), torch.randn(1, 3, size, size)

        def step():
            fake = G(A)
            for p in D.parameters(): p.requires_grad = True
            oD.zero_grad()
            loss_D = (gan(D(torch.cat((A, fake.detach()), 1)), False) + gan(D(torch.cat((A, B), 1)), True)) * 0.5
            loss_D.backward(); oD.step()
            for p in D.parameters(): p.requires_grad = False
            oG.zero_grad()
            loss_G = gan(D(torch.cat((A, fake), 1)), True) + l1(fake, B) * 100
            loss_G.backward(); oG.step()
    elif name.startswith("cyclegan"):
        size = 256 if "256" in name else 128
        GA = N.define_G(3, 3, 64, "resnet_9blocks", "instance", False, "normal", 0.02)
        GB = N.define_G(3, 3, 64, "resnet_9blocks", "instance", False, "normal", 0.02)
        DA = N.define_D(3, 64, "basic", 3, "instance", "normal", 0.02)
        DB = N.define_D(3, 64, "basic", 3, "instance", "normal", 0.02)
        gan = N.GANLoss("lsgan")
        oG = adam(list(GA.parameters()) + list(GB.parameters()))
        oD = adam(list(DA.parameters()) + list(DB.parameters()))
        A, B = torch.randn(1, 3, size, size), torch.randn(1, 3, size, size)

        def step():
            fake_B, fake_A = GA(A), GB(B)
            rec_A, rec_B = GB(fake_B), GA(fake_A)
            for p in list(DA.parameters()) + list(DB.parameters()): p.requires_grad = False
            oG.zero_grad()
            idt_A, idt_B = GA(B), GB(A)
            loss = (l1(idt_A, B) * 10 * 0.5 + l1(idt_B, A) * 10 * 0.5 + gan(DA(fake_B), True)
                    + gan(DB(fake_A), True) + l1(rec_A, A) * 10 + l1(rec_B, B) * 10)
            loss.backward(); oG.step()
            for p in list(DA.parameters()) + list(DB.parameters()): p.requires_grad = True
            oD.zero_grad()
            for D, real, fake in ((DA, B, fake_B), (DB, A, fake_A)):
                ((gan(D(real), True) + gan(D(fake.detach()), False)) * 0.5).backward()
            oD.step()
    else:
        netG, norm, dropout = ("unet_256", "batch", True) if name == "unet256_infer" else ("resnet_9blocks", "instance", False)
        G = N.define_G(3, 3, 64, netG, norm, dropout, "normal", 0.02)
        x = torch.randn(1, 3, 256, 256)

        def step():
            with torch.no_grad():
                G(x)

    step()  # warm-up
    times = []
    for _ in range(steps):
        t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
    times.sort()
    return {"name": name, "seconds": times[len(times) // 2],
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--networks", required=True, help="the reference repository's models/networks.py")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--filter", default="")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(run_one(a.child, a.networks, a.steps, a.threads)))
        return
    import torch
    wanted = [w for w in WORKLOADS if not a.filter or any(f in w for f in a.filter.split(","))]
    results = []
    for w in wanted:
        out = subprocess.run([sys.executable, __file__, "--networks", a.networks, "--steps", str(a.steps),
                              "--threads", str(a.threads), "--child", w], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        if not a.json:
            print(f"{w:28s} {r['seconds']:8.3f} s   peak RSS {r['peak_rss_bytes'] / 1e9:5.2f} GB", flush=True)
    if a.json:
        print(json.dumps({"torch": torch.__version__, "threads": a.threads, "workloads": results}))


if __name__ == "__main__":
    main()

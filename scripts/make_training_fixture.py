#!/usr/bin/env python3
"""Writes Tests/TrainingTests/Fixtures/{pix2pix,cyclegan}_steps.safetensors: tiny pix2pix and CycleGAN
networks, their initial weights, one input pair, and the losses and weights after each of two training
steps, computed by PyTorch with the reference implementation's networks.

Usage: scripts/make_training_fixture.py --networks PATH/TO/models/networks.py
(the reference repository's file; needs `pip install torch safetensors`). The step logic below follows
the reference's Pix2PixModel / CycleGANModel.optimize_parameters.
"""
import argparse, importlib.util, os, sys
import torch
from safetensors.torch import save_file

def load_networks(path):
    spec = importlib.util.spec_from_file_location("ref_networks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

def init_normal(net, gen):
    # The reference's init_weights('normal', 0.02), drawn from an explicit generator.
    for m in net.modules():
        name = m.__class__.__name__
        if hasattr(m, "weight") and m.weight is not None and ("Conv" in name):
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * 0.02)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.05)
        elif "BatchNorm2d" in name:
            with torch.no_grad():
                m.weight.copy_(1 + torch.randn(m.weight.shape, generator=gen) * 0.1)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)

def put(out, prefix, net):
    for k, v in net.state_dict().items():
        out[f"{prefix}.{k}"] = v.detach().clone().contiguous()

def gan_loss(mode, pred, real):
    target = torch.full_like(pred, 1.0 if real else 0.0)
    if mode == "lsgan":
        return torch.nn.functional.mse_loss(pred, target)
    return torch.nn.functional.binary_cross_entropy_with_logits(pred, target)

def pix2pix(nets, outdir):
    gen = torch.Generator().manual_seed(1234)
    G = nets.UnetGenerator(3, 3, 5, ngf=4, norm_layer=nets.get_norm_layer("batch"), use_dropout=False)
    D = nets.NLayerDiscriminator(6, 4, n_layers=2, norm_layer=nets.get_norm_layer("batch"))
    init_normal(G, gen); init_normal(D, gen)
    real_A = torch.rand(1, 3, 32, 32, generator=gen) * 2 - 1
    real_B = torch.rand(1, 3, 32, 32, generator=gen) * 2 - 1
    out = {"real_A": real_A, "real_B": real_B}
    put(out, "init.G", G); put(out, "init.D", D)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    G.train(); D.train()
    for step in (1, 2):
        fake_B = G(real_A)
        for p in D.parameters(): p.requires_grad = True
        optD.zero_grad()
        loss_D_fake = gan_loss("vanilla", D(torch.cat((real_A, fake_B), 1).detach()), False)
        loss_D_real = gan_loss("vanilla", D(torch.cat((real_A, real_B), 1)), True)
        ((loss_D_fake + loss_D_real) * 0.5).backward()
        optD.step()
        for p in D.parameters(): p.requires_grad = False
        optG.zero_grad()
        loss_G_GAN = gan_loss("vanilla", D(torch.cat((real_A, fake_B), 1)), True)
        loss_G_L1 = torch.nn.functional.l1_loss(fake_B, real_B) * 100
        (loss_G_GAN + loss_G_L1).backward()
        optG.step()
        for name, v in [("G_GAN", loss_G_GAN), ("G_L1", loss_G_L1), ("D_real", loss_D_real), ("D_fake", loss_D_fake)]:
            out[f"step{step}.loss.{name}"] = v.detach().reshape(1)
        put(out, f"step{step}.G", G); put(out, f"step{step}.D", D)
    save_file(out, os.path.join(outdir, "pix2pix_steps.safetensors"))

def cyclegan(nets, outdir):
    gen = torch.Generator().manual_seed(4321)
    norm = nets.get_norm_layer("instance")
    GA = nets.ResnetGenerator(3, 3, ngf=4, norm_layer=norm, use_dropout=False, n_blocks=1)
    GB = nets.ResnetGenerator(3, 3, ngf=4, norm_layer=norm, use_dropout=False, n_blocks=1)
    DA = nets.NLayerDiscriminator(3, 4, n_layers=1, norm_layer=norm)
    DB = nets.NLayerDiscriminator(3, 4, n_layers=1, norm_layer=norm)
    for n in (GA, GB, DA, DB): init_normal(n, gen)
    real_A = torch.rand(1, 3, 24, 24, generator=gen) * 2 - 1
    real_B = torch.rand(1, 3, 24, 24, generator=gen) * 2 - 1
    out = {"real_A": real_A, "real_B": real_B}
    for name, n in [("G_A", GA), ("G_B", GB), ("D_A", DA), ("D_B", DB)]: put(out, f"init.{name}", n)
    optG = torch.optim.Adam(list(GA.parameters()) + list(GB.parameters()), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(list(DA.parameters()) + list(DB.parameters()), lr=2e-4, betas=(0.5, 0.999))
    lam_A = lam_B = 10.0; lam_idt = 0.5
    for step in (1, 2):
        fake_B = GA(real_A); rec_A = GB(fake_B); fake_A = GB(real_B); rec_B = GA(fake_A)
        for p in list(DA.parameters()) + list(DB.parameters()): p.requires_grad = False
        optG.zero_grad()
        idt_A = GA(real_B); loss_idt_A = torch.nn.functional.l1_loss(idt_A, real_B) * lam_B * lam_idt
        idt_B = GB(real_A); loss_idt_B = torch.nn.functional.l1_loss(idt_B, real_A) * lam_A * lam_idt
        loss_G_A = gan_loss("lsgan", DA(fake_B), True)
        loss_G_B = gan_loss("lsgan", DB(fake_A), True)
        loss_cycle_A = torch.nn.functional.l1_loss(rec_A, real_A) * lam_A
        loss_cycle_B = torch.nn.functional.l1_loss(rec_B, real_B) * lam_B
        (loss_G_A + loss_G_B + loss_cycle_A + loss_cycle_B + loss_idt_A + loss_idt_B).backward()
        optG.step()
        for p in list(DA.parameters()) + list(DB.parameters()): p.requires_grad = True
        optD.zero_grad()
        # Image pools hold fewer than 50 images in the first steps, so they return their inputs.
        def d_basic(D, real, fake):
            loss = (gan_loss("lsgan", D(real), True) + gan_loss("lsgan", D(fake.detach()), False)) * 0.5
            loss.backward()
            return loss
        loss_D_A = d_basic(DA, real_B, fake_B)
        loss_D_B = d_basic(DB, real_A, fake_A)
        optD.step()
        for name, v in [("D_A", loss_D_A), ("G_A", loss_G_A), ("cycle_A", loss_cycle_A), ("idt_A", loss_idt_A),
                        ("D_B", loss_D_B), ("G_B", loss_G_B), ("cycle_B", loss_cycle_B), ("idt_B", loss_idt_B)]:
            out[f"step{step}.loss.{name}"] = v.detach().reshape(1)
        for name, n in [("G_A", GA), ("G_B", GB), ("D_A", DA), ("D_B", DB)]: put(out, f"step{step}.{name}", n)
    save_file(out, os.path.join(outdir, "cyclegan_steps.safetensors"))

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--networks", required=True, help="the reference's models/networks.py")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "TrainingTests", "Fixtures"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    nets = load_networks(a.networks)
    os.makedirs(a.out, exist_ok=True)
    pix2pix(nets, a.out)
    cyclegan(nets, a.out)
    print("written to", os.path.abspath(a.out), "with torch", torch.__version__)

#!/usr/bin/env python3
"""Writes a ViT of a given shape in linalg/tensor/arith/math - dense, or hybrid
with every MLP replaced by a quweit.lut_ffn - for cost reports. Weights are
splat constants: the IR is about shapes and operation counts, not values.

Default shape: I-ViT-T / DeiT-Tiny (12 blocks, width 192, 3 heads, MLP 768,
16x16 patches of 224x224x3 images = 196 patches + class token, 10 classes):

  gen_vit_shape.py -o dense.mlir
  gen_vit_shape.py --hybrid -o hybrid.mlir   # LUT FFN: 8 bits/feature, 3072,3072 LUTs, n=6

Each block is a quweit.transformer_block "block<i>":
  h = x + Proj(concat_h softmax(Q_h K_h^T / sqrt(dh)) V_h), LN1 before
  y = h + FFN(LN2(h)), FFN = Linear(D,H) -> GELU (erf form) -> Linear(H,D)
The LayerNorm is written as: mean (sum, * 1/D), centre, square, sum, * 1/D,
+ eps, rsqrt, scale, gamma, beta; softmax as max, subtract, exp, sum, divide.
"""
import argparse


class Emitter:
    def __init__(self):
        self.lines, self.count, self.indent = [], 0, "  "

    def fresh(self, hint="v"):
        self.count += 1
        return f"%{hint}{self.count}"

    def emit(self, text):
        self.lines.append(self.indent + text)

    def const(self, shape, value=0.01):
        name = self.fresh("w")
        self.emit(f"{name} = arith.constant dense<{value}> : {t(shape)}")
        return name

    def zeros(self, shape, init=0.0):
        empty, zero, fill = self.fresh("e"), self.fresh("z"), self.fresh("f")
        self.emit(f"{empty} = tensor.empty() : {t(shape)}")
        self.emit(f"{zero} = arith.constant {init} : f32")
        self.emit(f"{fill} = linalg.fill ins({zero} : f32) outs({empty} : {t(shape)}) -> {t(shape)}")
        return fill

    def matmul(self, a, b, m, k, n):
        out = self.zeros([m, n])
        name = self.fresh("mm")
        self.emit(f"{name} = linalg.matmul ins({a}, {b} : {t([m, k])}, {t([k, n])}) "
                  f"outs({out} : {t([m, n])}) -> {t([m, n])}")
        return name

    def linear(self, x, rows, din, dout):
        w = self.const([din, dout])
        bias = self.const([dout])
        return self.binary(self.matmul(x, w, rows, din, dout), bias, [rows, dout], "addf", "row")

    def generic(self, inputs, out_shape, maps, iterators, body, init=None, init_value=0.0):
        """inputs: list of (value, shape); body: lines using %a0.. and %acc,
        ending with the yielded value name."""
        out = init if init is not None else (self.zeros(out_shape, init_value) if "reduction" in iterators
                                               else self.empty(out_shape))
        name = self.fresh("g")
        ins = ", ".join(v for v, _ in inputs)
        types = ", ".join(t(s) for _, s in inputs)
        args = ", ".join(f"%a{i}: f32" for i in range(len(inputs))) + ", %acc: f32"
        maps_text = ", ".join(maps)
        its = ", ".join(f'"{i}"' for i in iterators)
        self.emit(f"{name} = linalg.generic {{indexing_maps = [{maps_text}], iterator_types = [{its}]}} "
                  f"ins({ins} : {types}) outs({out} : {t(out_shape)}) {{")
        self.emit(f"^bb0({args}):")
        for line in body[:-1]:
            self.emit("  " + line)
        self.emit(f"  linalg.yield {body[-1]} : f32")
        self.emit(f"}} -> {t(out_shape)}")
        return name

    def empty(self, shape):
        name = self.fresh("e")
        self.emit(f"{name} = tensor.empty() : {t(shape)}")
        return name

    def binary(self, a, b, shape, op, broadcast="none"):
        """a: shape [R, C]; b: same shape, a row vector [C] ("row") or a
        column [R] ("col")."""
        bmap = {"none": "affine_map<(i, j) -> (i, j)>", "row": "affine_map<(i, j) -> (j)>",
                "col": "affine_map<(i, j) -> (i)>"}[broadcast]
        bshape = {"none": shape, "row": [shape[1]], "col": [shape[0]]}[broadcast]
        ident = "affine_map<(i, j) -> (i, j)>"
        return self.generic([(a, shape), (b, bshape)], shape, [ident, bmap, ident],
                            ["parallel", "parallel"], [f"%r = arith.{op} %a0, %a1 : f32", "%r"])

    def unary(self, a, shape, body):
        ident = "affine_map<(i, j) -> (i, j)>"
        return self.generic([(a, shape)], shape, [ident, ident], ["parallel", "parallel"], body)

    def reduce_rows(self, a, shape, op, init=0.0):
        maps = ["affine_map<(i, j) -> (i, j)>", "affine_map<(i, j) -> (i)>"]
        return self.generic([(a, shape)], [shape[0]], maps, ["parallel", "reduction"],
                            [f"%r = arith.{op} %a0, %acc : f32", "%r"], init_value=init)

    def scale_vec(self, v, n, factor, op="mulf"):
        maps = ["affine_map<(i) -> (i)>", "affine_map<(i) -> (i)>"]
        return self.generic([(v, [n])], [n], maps, ["parallel"],
                            [f"%c = arith.constant {factor:.9e} : f32", f"%r = arith.{op} %a0, %c : f32", "%r"])

    def layernorm(self, x, rows, d, eps=1e-5):
        mean = self.scale_vec(self.reduce_rows(x, [rows, d], "addf"), rows, 1.0 / d)
        centred = self.binary(x, mean, [rows, d], "subf", "col")
        square = self.binary(centred, centred, [rows, d], "mulf")
        var = self.scale_vec(self.reduce_rows(square, [rows, d], "addf"), rows, 1.0 / d)
        var_eps = self.scale_vec(var, rows, eps, "addf")
        maps = ["affine_map<(i) -> (i)>", "affine_map<(i) -> (i)>"]
        rstd = self.generic([(var_eps, [rows])], [rows], maps, ["parallel"], ["%r = math.rsqrt %a0 : f32", "%r"])
        normed = self.binary(centred, rstd, [rows, d], "mulf", "col")
        scaled = self.binary(normed, self.const([d], 1.0), [rows, d], "mulf", "row")
        return self.binary(scaled, self.const([d], 0.0), [rows, d], "addf", "row")

    def attention(self, x, rows, d, heads):
        dh = d // heads
        qkv = self.linear(x, rows, d, 3 * d)
        outs = []
        for h in range(heads):
            parts = []
            for which in range(3):
                name = self.fresh("s")
                self.emit(f"{name} = tensor.extract_slice {qkv}[0, {which * d + h * dh}] [{rows}, {dh}] [1, 1] "
                          f": {t([rows, 3 * d])} to {t([rows, dh])}")
                parts.append(name)
            q, k, v = parts
            maps = ["affine_map<(i, j, k) -> (i, k)>", "affine_map<(i, j, k) -> (j, k)>",
                    "affine_map<(i, j, k) -> (i, j)>"]
            scores = self.generic([(q, [rows, dh]), (k, [rows, dh])], [rows, rows], maps,
                                  ["parallel", "parallel", "reduction"],
                                  ["%m = arith.mulf %a0, %a1 : f32", "%r = arith.addf %acc, %m : f32", "%r"])
            scaled = self.unary(scores, [rows, rows], [f"%c = arith.constant {dh ** -0.5:.9e} : f32",
                                                       "%r = arith.mulf %a0, %c : f32", "%r"])
            peak = self.reduce_rows(scaled, [rows, rows], "maximumf", init="0xFF800000")
            shifted = self.binary(scaled, peak, [rows, rows], "subf", "col")
            exps = self.unary(shifted, [rows, rows], ["%r = math.exp %a0 : f32", "%r"])
            total = self.reduce_rows(exps, [rows, rows], "addf")
            probs = self.binary(exps, total, [rows, rows], "divf", "col")
            outs.append(self.matmul(probs, v, rows, rows, dh))
        cat = self.fresh("cat")
        self.emit(f"{cat} = tensor.concat dim(1) {', '.join(outs)} : ({', '.join([t([rows, dh])] * heads)}) "
                  f"-> {t([rows, d])}")
        return self.linear(cat, rows, d, d)

    def mlp(self, x, rows, d, hidden):
        h = self.linear(x, rows, d, hidden)
        gelu = self.unary(h, [rows, hidden], [
            "%c = arith.constant 0.707106769 : f32", "%s = arith.mulf %a0, %c : f32",
            "%e = math.erf %s : f32", "%one = arith.constant 1.0 : f32", "%p = arith.addf %e, %one : f32",
            "%xp = arith.mulf %a0, %p : f32", "%half = arith.constant 0.5 : f32",
            "%r = arith.mulf %xp, %half : f32", "%r"])
        return self.linear(gelu, rows, hidden, d)

    def lut_ffn(self, x, rows, d, bits, layers, fan_in):
        name = self.fresh("ffn")
        self.emit(f"{name} = quweit.lut_ffn {x} : {t([rows, d])} -> {t([rows, d])} {{")
        self.emit(f"^bb0(%in: {t([rows, d])}):")
        width = d * bits
        self.emit(f"  %therm = quweit.thermometer %in thresholds(dense<0.0> : tensor<{d}x{bits}xf32>) "
                  f": {t([rows, d])} -> {t([rows, width], 'i1')}")
        prev = "%therm"
        for i, luts in enumerate(layers):
            self.emit(f"  %lut{i} = quweit.lut_layer {prev} mapping(dense<0> : tensor<{luts}x{fan_in}xi32>) "
                      f"tables(dense<false> : tensor<{luts}x{1 << fan_in}xi1>) "
                      f": {t([rows, width], 'i1')} -> {t([rows, luts], 'i1')}")
            prev, width = f"%lut{i}", luts
        self.emit(f"  %counts = quweit.group_sum {prev} : {t([rows, width], 'i1')} -> {t([rows, d], 'i32')}")
        self.emit(f"  %scaled = quweit.scale_counts %counts tau(4.0) : {t([rows, d], 'i32')} -> {t([rows, d])}")
        self.emit(f"  quweit.yield %scaled : {t([rows, d])}")
        self.emit(f"}}")
        return name


def t(shape, element="f32"):
    return f"tensor<{'x'.join(str(s) for s in shape)}x{element}>"


def generate(args):
    e = Emitter()
    d, patch, image, chans = args.width, args.patch, args.image, 3
    grid = image // patch
    rows = grid * grid + 1
    out = []
    out.append(f"// ViT shape: {args.depth} blocks, width {d}, {args.heads} heads, MLP {args.mlp}, {rows} tokens, "
               f"{patch}x{patch} patches of {image}x{image}x{chans}, {args.classes} classes"
               + (f"; every MLP replaced by a LUT FFN ({args.bits} bits/feature, LUT layers {args.lut_layers}, "
                  f"fan-in {args.fan_in})" if args.hybrid else "; dense") + ". Generated by scripts/gen_vit_shape.py.")
    e.lines.append(f"func.func @vit(%img: {t([1, image, image, chans])}) -> {t([1, args.classes])} {{")
    wconv = e.const([patch, patch, chans, d])
    conv_out = e.zeros([1, grid, grid, d])
    conv = e.fresh("conv")
    e.emit(f"{conv} = linalg.conv_2d_nhwc_hwcf {{dilations = dense<1> : tensor<2xi64>, strides = dense<{patch}> "
           f": tensor<2xi64>}} ins(%img, {wconv} : {t([1, image, image, chans])}, {t([patch, patch, chans, d])}) "
           f"outs({conv_out} : {t([1, grid, grid, d])}) -> {t([1, grid, grid, d])}")
    flat = e.fresh("flat")
    e.emit(f"{flat} = tensor.collapse_shape {conv} [[0, 1, 2], [3]] : {t([1, grid, grid, d])} into {t([rows - 1, d])}")
    patches = e.binary(flat, e.const([d]), [rows - 1, d], "addf", "row")
    cls = e.const([1, d])
    tokens = e.fresh("tok")
    e.emit(f"{tokens} = tensor.concat dim(0) {cls}, {patches} : ({t([1, d])}, {t([rows - 1, d])}) -> {t([rows, d])}")
    x = e.binary(tokens, e.const([rows, d]), [rows, d], "addf")
    layers = [int(v) for v in args.lut_layers.split(",")]
    for block in range(args.depth):
        name = e.fresh("blk")
        e.emit(f'{name} = quweit.transformer_block "block{block}" ({x}) : ({t([rows, d])}) -> {t([rows, d])} {{')
        e.emit(f"^bb0(%x: {t([rows, d])}):")
        outer = e.indent
        e.indent = outer + "  "
        attn = e.attention(e.layernorm("%x", rows, d), rows, d, args.heads)
        h = e.binary("%x", attn, [rows, d], "addf")
        normed = e.layernorm(h, rows, d)
        if args.hybrid:
            ffn = e.lut_ffn(normed, rows, d, args.bits, layers, args.fan_in)
        else:
            ffn = e.mlp(normed, rows, d, args.mlp)
        y = e.binary(h, ffn, [rows, d], "addf")
        e.emit(f"quweit.yield {y} : {t([rows, d])}")
        e.indent = outer
        e.emit("}")
        x = name
    final = e.layernorm(x, rows, d)
    cls_out = e.fresh("cls")
    e.emit(f"{cls_out} = tensor.extract_slice {final}[0, 0] [1, {d}] [1, 1] : {t([rows, d])} to {t([1, d])}")
    logits = e.linear(cls_out, 1, d, args.classes)
    e.emit(f"return {logits} : {t([1, args.classes])}")
    e.lines.append("}")
    return "\n".join(out + e.lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--depth", type=int, default=12)
    p.add_argument("--width", type=int, default=192)
    p.add_argument("--heads", type=int, default=3)
    p.add_argument("--mlp", type=int, default=768)
    p.add_argument("--image", type=int, default=224)
    p.add_argument("--patch", type=int, default=16)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--hybrid", action="store_true", help="replace every MLP by a quweit.lut_ffn")
    p.add_argument("--bits", type=int, default=8, help="thermometer bits per feature of the LUT FFN")
    p.add_argument("--lut-layers", default="3072,3072", help="LUTs per layer of the LUT FFN")
    p.add_argument("--fan-in", type=int, default=6)
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    if args.width % args.heads or args.image % args.patch:
        p.error("width must divide by heads and image by patch")
    with open(args.output, "w") as f:
        f.write(generate(args))


if __name__ == "__main__":
    main()

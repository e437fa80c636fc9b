#!/bin/sh
# prepare.sh OUT: writes, with loralab export, the folders check.py reads:
# OUT/toy/NAME (torch exports of the toy, for PEFT's layers) and
# OUT/peft/NAME (PEFT exports, for the exported train.py on a tiny Llama).
set -eu
out=$1
loralab=${LORALAB:-loralab}
shape="--width 16 --depth 3 --task-rank 2 --batch 8 --steps 30 --eval-every 1 --eval-size 16 --train-size 128 --seed 5"
mkdir -p "$out/toy" "$out/peft"
$loralab export torch "$out/toy/lora" --method lora --rank 4 --schedule cosine --warmup 3 $shape
$loralab export torch "$out/toy/dora" --method dora --rank 4 $shape
$loralab export torch "$out/toy/vera" --method vera --rank 32 --schedule linear $shape
$loralab export torch "$out/toy/pissa" --method pissa --rank 4 $shape
$loralab export torch "$out/toy/lora-plus" --method lora-plus --rank 4 --lr-ratio 16 $shape
$loralab export torch "$out/toy/lora-fa-projected" --method lora-fa --rank 4 --lorafa-projected $shape
for m in lora lora-fa vera delta-lora lora-plus dora pissa full; do
  $loralab export peft "$out/peft/$m" --method $m --steps 6 --warmup 1 --delta-start 2 --seed 5 >/dev/null
done
$loralab export peft "$out/peft/lora-fa-projected" --method lora-fa --lorafa-projected --steps 6 >/dev/null
$loralab export peft "$out/peft/lora-rslora-cosine" --method lora --rank 16 --alpha 16 --rslora --schedule cosine --warmup 2 --steps 6 --target-modules q_proj,v_proj >/dev/null

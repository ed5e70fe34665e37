"""Q7: Flowers 17, fine-tuned pretrained backbone or network from scratch (Snakemake script)."""

from nnrec import data, io
from nnrec.torch_models import common, flowers

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    flowers.keep_freed_memory()
    options = dict(p.options)
    device = common.resolve_device(p.device)
    # decode once at a little more than the training size: random crops need the margin
    images = flowers.load_data(snakemake.input.flowers, round(options["image_size"] * 1.15))
    if p.mode == "finetune":
        backbone = data.read_provenance(snakemake.input.backbone).iloc[0].to_dict()
        result = flowers.train_finetune(images, backbone=backbone, weights_folder=p.weights_folder, seed=p.seed,
                                        device=device, threads=snakemake.threads, **options)
    else:
        result = flowers.train_scratch(images, seed=p.seed, device=device, threads=snakemake.threads, **options)
    flowers.save_flower_model(snakemake.output.model, result["model"], p.mode, result["row"])
    io.write_csv(result["history"], snakemake.output.history)
    io.write_csv(flowers.predictions_frame(images["test"][1], result["test_pred"]), snakemake.output.predictions)
    metrics = {"mode": p.mode, **options, "seed": p.seed, "device": common.describe_device(device),
               "backbone": flowers.backbone_name(result["row"]) if result["row"] else "none (scratch)",
               "backbone_provenance": result["row"], "test_acc": result["test_acc"],
               "valid_acc": result["valid_acc"], "seconds": round(result["seconds"], 1)}
    io.log.info("flowers %s: test accuracy %.4f in %.0f s", p.mode, result["test_acc"], result["seconds"])
    io.write_json(metrics, snakemake.output.metrics)

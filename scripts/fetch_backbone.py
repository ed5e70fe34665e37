"""Choose the Flowers 17 backbone's pretrained weights, verified, and record where they came from (Snakemake script)."""

from nnrec import data, io

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    record = data.fetch_backbone(p.backbone, p.folder, mirrors=p.mirrors, timeout=p.timeout)
    records = data.with_origin([record], previous=snakemake.output.provenance)
    data.write_provenance(records, snakemake.output.provenance)

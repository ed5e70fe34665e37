"""Fetch the real NIST36 character splits, else EMNIST36, else generate the synthetic stand-in (Snakemake script).

The provenance output is also read first: it records whether the splits already in
resources/ are real NIST36 or EMNIST36 (see nnrec.data.fetch_characters).
"""

from nnrec import data, io

with io.log_to(snakemake.log[0]):
    records = data.fetch_characters(
        {split: snakemake.output[split] for split in data.CHARACTER_SPLITS},
        source=snakemake.params.source,
        mirrors=snakemake.params.mirrors,
        timeout=snakemake.params.timeout,
        seed=snakemake.params.seed,
        synth=snakemake.params.synth,
        manifest=snakemake.input.manifest,
        previous=snakemake.output.provenance,
    )
    records = data.with_origin(records, previous=snakemake.output.provenance)
    data.write_provenance(records, snakemake.output.provenance)

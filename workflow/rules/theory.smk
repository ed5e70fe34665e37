# Stage file: theory (Q1). Numerical checks of the homework's claims about sigmoid, tanh,
# softmax and linear layers, and the two figures that illustrate them. No data needed.


rule theory_checks:
    output:
        checks="results/q1/checks.csv",
        activations=report(
            "results/q1/activations.png",
            caption="../report/q1_activations.rst",
            category="Q1",
            subcategory="figures",
            labels={"figure": "sigmoid and tanh"},
        ),
        softmax=report(
            "results/q1/softmax_shift.png",
            caption="../report/q1_softmax_shift.rst",
            category="Q1",
            subcategory="figures",
            labels={"figure": "softmax shift invariance"},
        ),
    log:
        "logs/q1/theory_checks.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        seed=config["seed"],
    script:
        "../../scripts/theory_checks.py"


rule q1:
    input:
        rules.theory_checks.output,

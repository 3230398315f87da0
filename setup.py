"""Installs sasrec_tf; `pip install -e ".[test]"` adds the test tools."""

import setuptools

setuptools.setup(
    name="sasrec_tf",
    version="0.1.0",
    description=("Faithful TensorFlow 2 / Keras reproductions of SASRec, SSE-PT, SAS-FPT and "
                 "AttRec, with the papers' data pipelines, evaluation protocols and tables."),
    packages=setuptools.find_packages(include=["sasrec_tf", "sasrec_tf.*"]),
    package_data={"sasrec_tf.reporting": ["data/*.json"]},
    python_requires=">=3.9",
    install_requires=[
        "tensorflow>=2.16",
        "numpy>=1.23",
        "scipy>=1.9",
        "absl-py>=1.0",
        "tensorboard>=2.16",
    ],
    extras_require={
        "test": ["pytest>=7"],
        "figures": ["matplotlib>=3.5"],
    },
)

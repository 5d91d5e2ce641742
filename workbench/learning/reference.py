"""The reference a draft is held to: scikit-learn's logistic regression on one-hot features
over the same columns (numbers in deciles, '(missing)' its own category). The draft's
cross-validation and the benchmarks report its AUC next to the draft's own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.data.numbers import read_numbers
from workbench.learning.profiling import quantile_edges


def one_hot_frame(
    train: pd.DataFrame, test: pd.DataFrame, columns: Sequence[str], types: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each column as text categories for one-hot encoding: values as the engine compares
    them, numbers in deciles of the training data, '(missing)' for missing."""
    out_train, out_test = {}, {}
    for name in columns:
        if types[name] == "numeric":
            x_train, x_test = read_numbers(train[name]), read_numbers(test[name])
            edges = quantile_edges(x_train, 10)
            for x, out in ((x_train, out_train), (x_test, out_test)):
                code = np.searchsorted(edges, x, side="right").astype(object)
                code[np.isnan(x)] = "(missing)"
                out[name] = code.astype(str)
        else:
            for frame, out in ((train, out_train), (test, out_test)):
                text = frame[name].astype("str").str.strip().str.casefold()
                out[name] = text.fillna("(missing)").to_numpy(dtype=object)
    return pd.DataFrame(out_train), pd.DataFrame(out_test)


def reference_predictions(
    train: pd.DataFrame,
    y_train: np.ndarray,
    test: pd.DataFrame,
    columns: Sequence[str],
    types: dict[str, str],
    C: float = 1.0,
) -> np.ndarray:
    """Probabilities for ``test`` from scikit-learn's LogisticRegression on one-hot
    features over the same columns: the statistician's model a draft is held to."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder

    a, b = one_hot_frame(train, test, columns, types)
    known = ~np.isnan(y_train)
    enc = OneHotEncoder(handle_unknown="ignore")
    Xa = enc.fit_transform(a[known])
    lr = LogisticRegression(C=C, max_iter=2000).fit(Xa, y_train[known] > 0.5)
    return lr.predict_proba(enc.transform(b))[:, 1]

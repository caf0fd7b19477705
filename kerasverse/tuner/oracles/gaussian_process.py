"""`GaussianProcess`: a small GP regressor (Matern 5/2, ARD) with fitted
hyperparameters, written for Bayesian optimization on the host (numpy/scipy)."""

import numpy as np
import scipy.linalg
import scipy.optimize

SQRT5 = np.sqrt(5.0)


def matern52(x1, x2, lengthscales, amplitude):
    """The Matern 5/2 kernel matrix between the rows of `x1` and `x2`."""
    scaled1 = x1 / lengthscales
    scaled2 = x2 / lengthscales
    sq = (
        np.sum(scaled1**2, axis=1)[:, None]
        + np.sum(scaled2**2, axis=1)[None, :]
        - 2.0 * scaled1 @ scaled2.T
    )
    r = np.sqrt(np.maximum(sq, 0.0))
    return amplitude * (1.0 + SQRT5 * r + 5.0 / 3.0 * r**2) * np.exp(-SQRT5 * r)


class GaussianProcess:
    """Gaussian process regression with a Matern 5/2 ARD kernel.

    The targets are standardized; amplitude, one lengthscale per input
    dimension and the noise variance are fitted by maximizing the log
    marginal likelihood (L-BFGS-B with analytic gradients, a few restarts,
    weak log-normal priors on the lengthscales).

    Args:
        min_noise: The smallest noise variance (keras_tuner's `alpha`).
        seed: Random seed of the restarts.

    Example:

    ```python
    gp = GaussianProcess(seed=0).fit(x, y)
    mean, std = gp.predict(x_new)
    ```
    """

    def __init__(self, min_noise=1e-4, seed=0):
        self.min_noise = float(min_noise)
        self.rng = np.random.default_rng(seed)
        self.params = None

    def _unpack(self, theta, dims):
        amplitude = np.exp(theta[0])
        lengthscales = np.exp(theta[1 : 1 + dims])
        noise = np.exp(theta[1 + dims]) + self.min_noise
        return amplitude, lengthscales, noise

    def _neg_log_likelihood(self, theta, pairwise_sq, y):
        n, _, dims = pairwise_sq.shape
        amplitude, lengthscales, noise = self._unpack(theta, dims)
        diff_sq = pairwise_sq / lengthscales**2  # n, n, d
        r = np.sqrt(np.sum(diff_sq, axis=-1))
        exp = np.exp(-SQRT5 * r)
        k = amplitude * (1.0 + SQRT5 * r + 5.0 / 3.0 * r**2) * exp
        cov = k + noise * np.eye(n)
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            return 1e10, np.zeros_like(theta)
        chol_inverse = scipy.linalg.solve_triangular(chol, np.eye(n), lower=True)
        inverse = chol_inverse.T @ chol_inverse
        alpha = inverse @ y
        nll = 0.5 * y @ alpha + np.sum(np.log(np.diag(chol))) + 0.5 * n * np.log(2 * np.pi)
        inner = np.outer(alpha, alpha) - inverse
        grad = np.empty_like(theta)
        grad[0] = -0.5 * np.sum(inner * k)
        common = 5.0 / 3.0 * amplitude * (1.0 + SQRT5 * r) * exp
        for j in range(dims):
            grad[1 + j] = -0.5 * np.sum(inner * (common * diff_sq[:, :, j]))
        grad[1 + dims] = -0.5 * np.trace(inner) * (noise - self.min_noise)
        # Priors: log-lengthscale ~ N(log 0.5, 1), log-amplitude ~ N(0, 1).
        log_l = theta[1 : 1 + dims]
        nll += 0.5 * np.sum((log_l - np.log(0.5)) ** 2) + 0.5 * theta[0] ** 2
        grad[1 : 1 + dims] += log_l - np.log(0.5)
        grad[0] += theta[0]
        return nll, grad

    def fit(self, x, y, num_restarts=3):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        self.y_mean = float(np.mean(y))
        self.y_std = float(np.std(y)) or 1.0
        y_scaled = (y - self.y_mean) / self.y_std
        dims = x.shape[1]
        bounds = [(-3.0, 3.0)] + [(np.log(1e-2), np.log(20.0))] * dims + [(np.log(1e-6), np.log(1.0))]
        warm = self.params is not None and len(self.params) == dims + 2
        if warm:
            starts = [self.params]
        else:
            starts = [np.concatenate([[0.0], np.full(dims, np.log(0.5)), [np.log(1e-3)]])]
        for _ in range(num_restarts - 1):
            starts.append(
                np.concatenate(
                    [[self.rng.normal()], np.log(0.5) + self.rng.normal(size=dims), [np.log(1e-3)]]
                )
            )
        pairwise_sq = (x[:, None, :] - x[None, :, :]) ** 2
        best = None
        for start in starts:
            result = scipy.optimize.minimize(
                self._neg_log_likelihood, start, args=(pairwise_sq, y_scaled), jac=True,
                method="L-BFGS-B", bounds=bounds, options={"maxiter": 30 if warm else 60},
            )
            if best is None or result.fun < best.fun:
                best = result
        self.params = best.x
        self.amplitude, self.lengthscales, self.noise = self._unpack(best.x, dims)
        self.x = x
        cov = matern52(x, x, self.lengthscales, self.amplitude) + self.noise * np.eye(len(x))
        self.chol = scipy.linalg.cholesky(cov, lower=True)
        self.alpha = scipy.linalg.cho_solve((self.chol, True), y_scaled)
        return self

    def predict(self, x):
        """Posterior mean and standard deviation (in the units of `y`)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        k_star = matern52(x, self.x, self.lengthscales, self.amplitude)
        mean = k_star @ self.alpha
        v = scipy.linalg.solve_triangular(self.chol, k_star.T, lower=True)
        var = np.maximum(self.amplitude - np.sum(v**2, axis=0), 1e-12)
        return mean * self.y_std + self.y_mean, np.sqrt(var) * self.y_std

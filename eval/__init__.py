"""Answer-quality evals: suites as data, deterministic checks first, pure scoring."""

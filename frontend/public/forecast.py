"""Next weeks' demand from weekly counts only: a moving average, and its error on the weeks just past."""

from dataclasses import dataclass

WINDOW = 8
HORIZON = 4


@dataclass(frozen=True)
class Forecast:
    next_weeks: list[float]
    backtest_mae: float | None  # mean absolute error over the last HORIZON weeks, forecast from the WINDOW before
    backtest_actual_mean: float | None


def moving_average(history: list[int], window: int = WINDOW, horizon: int = HORIZON) -> list[float]:
    recent = history[-window:]
    level = sum(recent) / len(recent) if recent else 0.0
    return [round(level, 1)] * horizon


def forecast(history: list[int], window: int = WINDOW, horizon: int = HORIZON) -> Forecast:
    """Forecast ``horizon`` weeks after ``history`` and backtest the same method on its last weeks."""
    if len(history) < window + horizon:
        return Forecast(moving_average(history, window, horizon), None, None)
    past, actual = history[:-horizon], history[-horizon:]
    predicted = moving_average(past, window, horizon)
    mae = sum(abs(p - a) for p, a in zip(predicted, actual, strict=False)) / horizon
    return Forecast(moving_average(history, window, horizon), round(mae, 1), round(sum(actual) / horizon, 1))

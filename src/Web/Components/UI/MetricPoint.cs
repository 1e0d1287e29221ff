namespace ModelsHub.Web.Components.UI;

/// <summary>One point of a metric curve: x is the step, y the value.</summary>
public readonly record struct MetricPoint(double X, double Y);

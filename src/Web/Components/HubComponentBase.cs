using Microsoft.AspNetCore.Components;
using ModelsHub.Web.Services.Localization;

namespace ModelsHub.Web.Components;

/// <summary>
/// Every page and piece of the app: its texts (<see cref="L"/>) and a re-render when the language changes
/// (the layout cascades the current language, so a switch repaints everything without a reload).
/// </summary>
public abstract class HubComponentBase : ComponentBase
{
    [Inject] protected Loc L { get; set; } = default!;

    [CascadingParameter(Name = "Language")] protected string? Language { get; set; }
}

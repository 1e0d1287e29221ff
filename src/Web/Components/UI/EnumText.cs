using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;
using ModelsHub.Web.Services.Localization;

namespace ModelsHub.Web.Components.UI;

/// <summary>Enum values in the current language (text keys <c>enum.{type}.{value}</c>), falling back to the API's name.</summary>
public static class EnumText
{
    public static string Of<T>(Loc l, T value) where T : struct, Enum
    {
        var key = $"enum.{typeof(T).Name}.{HubJson.NameOf(value)}";
        var text = l[key];
        return text == key ? HubJson.NameOf(value) : text;
    }

    public static IReadOnlyList<T> All<T>() where T : struct, Enum => Enum.GetValues<T>();
}

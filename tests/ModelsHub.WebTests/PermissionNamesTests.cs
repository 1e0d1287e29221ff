using System.Reflection;

namespace ModelsHub.WebTests;

public sealed class PermissionNamesTests
{
    [Fact]
    public void ThePermissionsTheAppGatesOnAreTheHubs()
    {
        var app = typeof(ModelsHub.Web.Services.Auth.Permissions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.NotEmpty(app);
        Assert.Empty(app.Except(ModelsHub.Core.Identity.Permissions.All));
    }
}

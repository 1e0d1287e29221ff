using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Identity;

namespace ModelsHub.UnitTests;

public class ModelAccessTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static HubModel Model(ModelVisibility visibility, ModelTier tier, string owner = "olivia", ModelStatus status = ModelStatus.Active, DateTimeOffset? expires = null) =>
        new() { Id = "m", Name = "m", Owner = owner, Visibility = visibility, Tier = tier, Status = status, ExpiresAt = expires };

    private static Caller As(string user, params string[] roles) => new(user, Caller.ResolvePermissions(roles, null));

    [Fact]
    public void AnonymousCallersSeeOnlyListedPublicStandardModels()
    {
        Assert.True(ModelAccess.CanSee(Caller.Anonymous, Model(ModelVisibility.Public, ModelTier.Standard), Now));
        Assert.False(ModelAccess.CanSee(Caller.Anonymous, Model(ModelVisibility.Public, ModelTier.Advanced), Now));
        Assert.False(ModelAccess.CanSee(Caller.Anonymous, Model(ModelVisibility.Public, ModelTier.Enterprise), Now));
        Assert.False(ModelAccess.CanSee(Caller.Anonymous, Model(ModelVisibility.Private, ModelTier.Standard), Now));
        Assert.False(ModelAccess.CanSee(Caller.Anonymous, Model(ModelVisibility.Public, ModelTier.Standard, status: ModelStatus.Inactive), Now));
        Assert.False(ModelAccess.CanSee(Caller.Anonymous, Model(ModelVisibility.Public, ModelTier.Standard, expires: Now.AddDays(-1)), Now));
    }

    [Fact]
    public void OwnersAlwaysSeeTheirOwnModels()
    {
        var carol = As("carol");
        Assert.True(ModelAccess.CanSee(carol, Model(ModelVisibility.Private, ModelTier.Standard, owner: "carol"), Now));
        Assert.True(ModelAccess.CanSee(carol, Model(ModelVisibility.Public, ModelTier.Enterprise, owner: "carol", status: ModelStatus.Inactive), Now));
        Assert.False(ModelAccess.CanSee(carol, Model(ModelVisibility.Private, ModelTier.Standard, owner: "dave"), Now));
    }

    [Fact]
    public void TheViewPermissionOpensAdvancedAndEnterpriseModels()
    {
        var viewer = As("vic", Roles.AdvancedViewer);
        Assert.True(ModelAccess.CanSee(viewer, Model(ModelVisibility.Public, ModelTier.Advanced), Now));
        Assert.True(ModelAccess.CanSee(viewer, Model(ModelVisibility.Public, ModelTier.Enterprise), Now));
        Assert.False(ModelAccess.CanSee(viewer, Model(ModelVisibility.Public, ModelTier.Advanced, status: ModelStatus.Inactive), Now));
    }

    [Fact]
    public void MaintainersSeeUnlistedPublicModelsOfTheTierTheyManage()
    {
        var maintainer = As("max", Roles.Maintainer);
        Assert.True(ModelAccess.CanSee(maintainer, Model(ModelVisibility.Public, ModelTier.Standard, status: ModelStatus.Inactive), Now));
        Assert.False(ModelAccess.CanSee(maintainer, Model(ModelVisibility.Public, ModelTier.Advanced), Now));
    }

    [Fact]
    public void AdminsSeeEverything()
    {
        var admin = As("ada", Roles.Admin);
        Assert.True(ModelAccess.ScopeFor(admin, Now).All);
        Assert.True(ModelAccess.CanSee(admin, Model(ModelVisibility.Private, ModelTier.Standard, owner: "someone"), Now));
    }

    [Fact]
    public void RevokedPermissionsWinOverRoles()
    {
        var user = new HubUser { Id = "max", RevokedPermissions = [Permissions.UpdatePublicModels], GrantedPermissions = [Permissions.ViewAdvancedModels] };
        var permissions = Caller.ResolvePermissions([Roles.Maintainer], user);
        Assert.DoesNotContain(Permissions.UpdatePublicModels, permissions);
        Assert.Contains(Permissions.DeletePublicModels, permissions);
        Assert.Contains(Permissions.ViewAdvancedModels, permissions);
    }

    [Fact]
    public void PublicModelsNeedTheTiersPermissionToChange()
    {
        var maintainer = As("max", Roles.Maintainer);
        Assert.Null(ModelAccess.Missing(maintainer, Model(ModelVisibility.Public, ModelTier.Standard), ModelAction.Update));
        Assert.Equal(Permissions.UpdateAdvancedModels, ModelAccess.Missing(maintainer, Model(ModelVisibility.Public, ModelTier.Advanced), ModelAction.Update));
        Assert.Equal(Permissions.ExpireAdvancedModels, ModelAccess.Missing(maintainer, Model(ModelVisibility.Public, ModelTier.Enterprise), ModelAction.Expire));
        Assert.NotNull(ModelAccess.Missing(maintainer, Model(ModelVisibility.Private, ModelTier.Standard, owner: "carol"), ModelAction.Update));
    }
}

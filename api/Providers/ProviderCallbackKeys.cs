using Microsoft.Extensions.DependencyInjection;
using Notifly.Grains.Providers;
using Notifly.Grains.Storage;

namespace Notifly.Api.Providers;

/// <summary>
/// The key that checks a receipt callback, and whose messages it may move (docs/0015): with a
/// provider id, that tenant provider's <paramref name="field"/> (if it exists, is active and is of
/// <paramref name="kind"/>) and its tenant only; without one, the deployment account's key.
/// </summary>
internal static class ProviderCallbackKeys
{
    public static async Task<(string? Key, Guid? OnlyTenantId)> ResolveAsync(
        IServiceProvider services, Guid? providerId, string kind, string field, Func<string?> deploymentKey, CancellationToken cancellationToken)
    {
        if (providerId is not { } id)
        {
            return (deploymentKey(), null);
        }

        var loaded = await services.GetRequiredService<ProviderStore>().LoadAsync(services.GetRequiredService<Database>(), id, cancellationToken);
        return loaded is { } provider && provider.Kind == kind
            ? (provider.Config[field]?.GetValue<string>(), provider.TenantId)
            : (null, null);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Notifly.Grains.Providers;
using Notifly.Grains.Storage;

namespace Notifly.Api.Providers;

/// <summary>A tenant provider's keys for checking its callbacks: null unless it exists, is active and is of <c>kind</c>.</summary>
internal static class ProviderCallbackKeys
{
    public static async Task<(Guid TenantId, System.Text.Json.Nodes.JsonObject Config)?> LoadAsync(
        IServiceProvider services, Guid providerId, string kind, CancellationToken cancellationToken)
    {
        var loaded = await services.GetRequiredService<ProviderStore>().LoadAsync(
            services.GetRequiredService<Database>(), providerId, cancellationToken);
        return loaded is { } provider && provider.Kind == kind ? (provider.TenantId, provider.Config) : null;
    }
}

using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Notifly.Silo.Hosting;

public static class OrleansHostingExtensions
{
    /// <summary>
    /// Hosts this node's Orleans silo on loopback with development clustering (docs/0019). Call it
    /// before the dispatcher is registered: the host stops services in reverse order, so the
    /// dispatcher drains its attempts through the grains before the silo goes away.
    /// </summary>
    public static IHostApplicationBuilder AddNotiflyOrleans(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrleansHostOptions>().BindConfiguration(OrleansHostOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<EndpointOptions>().Configure<IOptions<OrleansHostOptions>>((endpoint, options) =>
        {
            endpoint.AdvertisedIPAddress = IPAddress.Loopback;
            endpoint.SiloPort = options.Value.SiloPort;
            endpoint.GatewayPort = options.Value.GatewayPort;
        });
        builder.Services.AddOptions<ClusterOptions>().Configure<IOptions<OrleansHostOptions>>((cluster, options) =>
        {
            cluster.ClusterId = options.Value.ClusterId;
            cluster.ServiceId = options.Value.ServiceId;
        });
        builder.UseOrleans(silo => silo.UseDevelopmentClustering(primarySiloEndpoint: null));
        return builder;
    }
}

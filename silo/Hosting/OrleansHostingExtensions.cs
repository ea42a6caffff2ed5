using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notifly.Grains.Runtime;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Notifly.Silo.Hosting;

public static class OrleansHostingExtensions
{
    /// <summary>
    /// Hosts this node's Orleans silo (docs/0020). Call it before the dispatcher is registered: the
    /// host stops services in reverse order, so the dispatcher drains its attempts (and records
    /// their leases' owner as live) before the silo leaves the cluster.
    /// </summary>
    public static IHostApplicationBuilder AddNotiflyOrleans(this IHostApplicationBuilder builder)
    {
        var options = AddClusterOptions(builder);
        var dashboard = builder.Configuration.GetSection(OrleansDashboardOptions.Section).Get<OrleansDashboardOptions>() ?? new OrleansDashboardOptions();
        builder.Services.AddOptions<EndpointOptions>().Configure<IOptions<OrleansHostOptions>>((endpoint, bound) =>
        {
            var advertised = IPAddress.TryParse(bound.Value.AdvertisedAddress, out var ip) ? ip : IPAddress.Loopback;
            endpoint.AdvertisedIPAddress = advertised;
            endpoint.SiloPort = bound.Value.SiloPort;
            endpoint.GatewayPort = bound.Value.GatewayPort;
            if (!IPAddress.IsLoopback(advertised))
            {
                // A pod is reached at its own IP; listen on every interface of the pod.
                endpoint.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, bound.Value.SiloPort);
                endpoint.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, bound.Value.GatewayPort);
            }
        });

        // Failure detection (how soon a killed silo is declared dead) is Orleans' own
        // ClusterMembershipOptions, settable under Notifly:Orleans:Membership.
        builder.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration($"{OrleansHostOptions.Section}:Membership");

        builder.UseOrleans(silo =>
        {
            if (options.Clustering == OrleansClustering.Redis && !string.IsNullOrWhiteSpace(options.Redis))
            {
                silo.UseRedisClustering(options.Redis);
            }
            else
            {
                silo.UseDevelopmentClustering(IPEndPoint.TryParse(options.PrimarySilo ?? "", out var primary) ? primary : null);
            }

            if (TelemetryHostingExtensions.TracingEnabled(builder.Configuration))
            {
                silo.AddActivityPropagation();
            }

            silo.AddIncomingGrainCallFilter<DatabaseFailureCallFilter>();

            if (dashboard.Enabled)
            {
                // The live log stream would show every tenant's log lines: operators read logs elsewhere.
                silo.AddDashboard(o => o.HideTrace = true);
            }
        });
        builder.Services.AddOptions<OrleansDashboardOptions>().BindConfiguration(OrleansDashboardOptions.Section);

        builder.Services.AddSingleton(sp => new LeaseOwner(sp.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString()));
        builder.Services.AddHostedService<DeadSiloLeases>();
        builder.Services.AddHostedService<ClusterSizeGauge>();
        return builder;
    }

    /// <summary>
    /// Makes an api node (<c>Notifly:Role=Api</c>) a client of the cluster (docs/0021): it hosts no
    /// grains and calls them through the silos' gateways, found in Redis membership or listed in
    /// <c>Notifly:Orleans:Gateways</c>. Start-up waits for a gateway (Orleans' retry, about three
    /// minutes), so api nodes may start before the silos.
    /// </summary>
    public static IHostApplicationBuilder AddNotiflyOrleansClient(this IHostApplicationBuilder builder)
    {
        var options = AddClusterOptions(builder);
        builder.UseOrleansClient(client =>
        {
            if (options.Clustering == OrleansClustering.Redis && !string.IsNullOrWhiteSpace(options.Redis))
            {
                client.UseRedisClustering(options.Redis);
            }
            else
            {
                client.UseStaticClustering(options.GatewayEndpoints().ToArray());
            }

            if (TelemetryHostingExtensions.TracingEnabled(builder.Configuration))
            {
                client.AddActivityPropagation();
            }

            // Start-up waiting for a gateway is Orleans' own: its default retry filter tries again
            // with a growing delay for about three minutes, then the start fails (and Kubernetes
            // restarts the pod).
        });
        return builder;
    }

    /// <summary>
    /// Binds and validates <c>Notifly:Orleans</c> and derives the cluster's ids from it, for a silo
    /// and a client alike; returns the values as configured now, for choosing providers.
    /// </summary>
    private static OrleansHostOptions AddClusterOptions(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrleansHostOptions>().BindConfiguration(OrleansHostOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ClusterOptions>().Configure<IOptions<OrleansHostOptions>>((cluster, bound) =>
        {
            cluster.ClusterId = bound.Value.ClusterId;
            cluster.ServiceId = bound.Value.ServiceId;
        });
        return builder.Configuration.GetSection(OrleansHostOptions.Section).Get<OrleansHostOptions>() ?? new OrleansHostOptions();
    }

    /// <summary>Maps the Orleans Dashboard when it is enabled, for loopback clients only.</summary>
    public static WebApplication MapNotiflyOrleansDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<OrleansDashboardOptions>>().Value;
        if (options.Enabled)
        {
            app.MapOrleansDashboard(routePrefix: options.Path).AddEndpointFilter(async (context, next) =>
                IsLocal(context.HttpContext) ? await next(context) : Results.NotFound());
        }

        return app;
    }

    /// <summary>A client on this machine (or a <c>kubectl port-forward</c> into the pod).</summary>
    public static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
}

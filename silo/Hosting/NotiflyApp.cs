using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Notifly.Api;
using Notifly.Grains.Hosting;

namespace Notifly.Silo.Hosting;

/// <summary>Builds a Notifly process: the same composition for production, single-node mode and tests.</summary>
public static class NotiflyApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);

        var role = builder.Configuration.GetValue("Notifly:Role", NotiflyRole.All);
        builder.Services.AddNotiflyCore(builder.Configuration);
        builder.Services.AddNotiflyApi();
        builder.Services.AddNotiflyProviders(builder.Configuration);
        builder.AddNotiflyTelemetry();
        if (role is NotiflyRole.All or NotiflyRole.Worker)
        {
            builder.AddNotiflyOrleans(); // before the dispatcher, so it stops after it
            builder.Services.AddNotiflySilo(builder.Configuration);
            builder.Services.AddNotiflyKafka(builder.Configuration);
        }
        else
        {
            builder.AddNotiflyOrleansClient();
        }

        var app = builder.Build();
        app.MapNotiflyApi();
        if (role is NotiflyRole.All or NotiflyRole.Worker)
        {
            app.MapNotiflyOrleansDashboard();
        }

        return app;
    }
}

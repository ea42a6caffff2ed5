using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
        WarnAboutUnusedSettings(app);
        app.MapNotiflyApi();
        if (role is NotiflyRole.All or NotiflyRole.Worker)
        {
            app.MapNotiflyOrleansDashboard();
        }

        return app;
    }

    /// <summary>A setting Notifly would ignore, most often a typo in an environment variable's name, is logged at start.</summary>
    private static void WarnAboutUnusedSettings(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Notifly.Settings");
        foreach (var (key, problem) in SettingsCatalog.Unused(app.Configuration))
        {
            logger.LogWarning("Setting {Key} is not used: {Problem}", key, problem);
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Push;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Tests.Channels;

// Covers the validation the silo relies on to refuse a bad channel setting at start, naming it.
// Not covered: binding from configuration sections, which belongs to the silo's registration.
public sealed class ChannelOptionsValidationTests
{
    [Fact]
    public void Accepts_the_defaults()
    {
        FluentActions.Invoking(() => Resolve<SmtpOptions>(_ => { })).Should().NotThrow();
        FluentActions.Invoking(() => Resolve<WebhookOptions>(_ => { })).Should().NotThrow();
    }

    [Fact]
    public void Refuses_a_from_address_that_does_not_parse()
    {
        var resolve = () => Resolve<SmtpOptions>(o => o.From = "Notifly without address");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*From*");
    }

    [Fact]
    public void Refuses_a_port_out_of_range()
    {
        var resolve = () => Resolve<SmtpOptions>(o => o.Port = 0);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Port*");
    }

    [Fact]
    public void Refuses_an_allowed_webhook_network_that_is_not_a_cidr()
    {
        var resolve = () => Resolve<WebhookOptions>(o => o.AllowedNetworks = ["10.0.0.0/8", "intranet"]);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*AllowedNetworks*intranet*");
    }

    [Fact]
    public void Refuses_a_zero_webhook_timeout()
    {
        var resolve = () => Resolve<WebhookOptions>(o => o.Timeout = TimeSpan.Zero);

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Timeout*");
    }

    [Fact]
    public void Refuses_an_fcm_key_file_that_does_not_exist()
    {
        var resolve = () => Resolve<FcmOptions>(o => o.ServiceAccountFile = "/nonexistent/fcm-key.json");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:Fcm:ServiceAccountFile*");
    }

    [Fact]
    public void Refuses_an_fcm_key_without_a_project_id()
    {
        var resolve = () => Resolve<FcmOptions>(o => o.ServiceAccountJson = """{"client_email":"a@b","private_key":"x","token_uri":"https://oauth2.googleapis.com/token"}""");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*Notifly:Channels:Fcm:ServiceAccountJson*project_id*");
    }

    private static T Resolve<T>(Action<T> configure)
        where T : class
    {
        var services = new ServiceCollection();
        services.AddOptions<T>().Configure(configure).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }
}

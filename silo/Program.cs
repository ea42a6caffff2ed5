using Notifly.Silo.Cli;
using Notifly.Silo.Hosting;

// `notifly dev` runs single-node mode (private PostgreSQL, demo tenant); `notifly tenants …` is the
// operator API from a shell; anything else runs a node configured from appsettings / environment
// (ConnectionStrings__Notifly, Notifly__Role).
if (args.Length > 0 && args[0] == "dev")
{
    return await DevMode.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "tenants")
{
    return await TenantsCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

await NotiflyApp.Build(args).RunAsync();
return 0;

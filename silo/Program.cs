using Notifly.Silo.Hosting;

// `notifly dev` runs single-node mode (private PostgreSQL, demo tenant); anything else runs a
// node configured from appsettings / environment (ConnectionStrings__Notifly, Notifly__Role).
if (args.Length > 0 && args[0] == "dev")
{
    return await DevMode.RunAsync(args[1..]);
}

await NotiflyApp.Build(args).RunAsync();
return 0;

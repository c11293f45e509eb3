using System.Xml.Linq;

namespace Ironic.HelpBuilder;

/// <summary>Writes MAML (the XML that Get-Help reads) from the signatures and the markdown.</summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static XDocument Write(IReadOnlyList<CmdletSignature> cmdlets, IReadOnlyDictionary<string, CmdletHelp> help)
    {
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev));
        foreach (var cmdlet in cmdlets)
        {
            if (help.TryGetValue(cmdlet.Name, out var doc)) root.Add(CommandElement(cmdlet, doc));
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private static XElement Paras(IEnumerable<string> paragraphs) => new(Maml + "description", paragraphs.Select(p => new XElement(Maml + "para", p)));

    private static XElement CommandElement(CmdletSignature cmdlet, CmdletHelp doc) =>
        new(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                Paras([doc.Synopsis]),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun)),
            Paras(doc.Description),
            new XElement(Command + "syntax", CmdletCatalog.ParameterSets(cmdlet).Select(set =>
                new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", cmdlet.Name),
                    CmdletCatalog.InSet(cmdlet, set).Select(p => ParameterElement(p.Parameter, p.Membership, doc))))),
            new XElement(Command + "parameters", cmdlet.Parameters.Select(p => ParameterElement(p, p.Sets[0], doc))),
            new XElement(Command + "inputTypes", doc.Inputs.Select(TypeElement(Command + "inputType"))),
            new XElement(Command + "returnValues", (doc.Outputs.Count > 0 ? doc.Outputs : cmdlet.OutputTypes).Select(TypeElement(Command + "returnValue"))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", doc.Notes.Select(n => new XElement(Maml + "para", n)))),
            new XElement(Command + "examples", doc.Examples.Select((e, i) =>
                new XElement(Command + "example",
                    new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", e.Remarks.Select(r => new XElement(Maml + "para", r)))))),
            new XElement(Command + "relatedLinks", doc.Links.Select(l =>
                new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", l.Text), new XElement(Maml + "uri", l.Uri ?? "")))));

    private static Func<string, XElement> TypeElement(XName name) => type =>
        new XElement(name, new XElement(Dev + "type", new XElement(Maml + "name", type)), new XElement(Maml + "description"));

    private static IReadOnlyList<string> DefaultText(ParameterSignature parameter) => parameter.Name switch
    {
        "WhatIf" when parameter.IsAddedByPowerShell => ["Shows what would happen if the cmdlet runs. The cmdlet is not run."],
        "Confirm" when parameter.IsAddedByPowerShell => ["Prompts you for confirmation before running the cmdlet."],
        _ => [],
    };

    private static XElement ParameterElement(ParameterSignature parameter, ParameterSetMembership membership, CmdletHelp doc)
    {
        var pipeline = membership.FromPipeline && membership.FromPipelineByPropertyName ? "True (ByValue, ByPropertyName)"
            : membership.FromPipeline ? "True (ByValue)"
            : membership.FromPipelineByPropertyName ? "True (ByPropertyName)" : "False";
        return new XElement(Command + "parameter",
            new XAttribute("required", membership.Mandatory ? "true" : "false"),
            new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", membership.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases)),
            new XElement(Maml + "name", parameter.Name),
            Paras(doc.Parameters.TryGetValue(parameter.Name, out var text) ? text : DefaultText(parameter)),
            parameter.IsSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), parameter.TypeName),
            new XElement(Dev + "type", new XElement(Maml + "name", parameter.TypeName)));
    }
}

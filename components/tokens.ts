/**
 * The components' type tokens. Another language constructs a component through the package's
 * provider by the token `<package>:index:<Name>` (the package is package.json's name; Pulumi's
 * component provider accepts the `index` module only), so each component registers under that
 * token. Stacks deployed before the package existed registered `oelab:<module>:<Name>`: the alias
 * keeps them, and every child, the same resources (no replacement). A helper, not a component.
 */
import * as pulumi from "@pulumi/pulumi";

/** package.json's name: the first part of every token. */
export const PACKAGE_NAME = "oe-lab-ipm";

/** A component's token, like `oe-lab-ipm:index:InventoryAssociation`. */
export function componentToken(name: string): string {
    return `${PACKAGE_NAME}:index:${name}`;
}

/** The caller's options, plus the alias from the token the component had before (`oelab:<module>:<Name>`). */
export function withFormerToken(
    formerToken: string,
    opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResourceOptions {
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: formerToken }] };
}

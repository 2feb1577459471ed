// Prelude for README fragments that pass `issuer` and `audience` without defining them.
// biome-ignore-all lint/correctness/noUnusedVariables: the fragment after this prelude uses them
declare const issuer: string;
declare const audience: string;

import { useState } from "preact/hooks";
import { explainSiren, explainSiret, frenchVatNumberFromSiren } from "../../worker/domain/identifiers";

export interface CompanyIdsProps {
  siren: string;
  siret: string;
  errors: { siren?: string; siret?: string };
  labels: {
    siren: string;
    siret: string;
    sirenInvalid: string;
    siretInvalid: string;
    siretMismatch: string;
    valid: string;
    vatNumber: string;
  };
}

function digits(s: string): string {
  return s.replace(/[\s.-]/g, "");
}

/**
 * SIREN and SIRET inputs with live checks (Luhn, La Poste exception, SIRET starting with the SIREN)
 * from the same domain module the server validates with; shows the derived French VAT number.
 * Server-rendered first, so the form works without JavaScript.
 */
export function CompanyIds({ siren: initialSiren, siret: initialSiret, errors, labels }: CompanyIdsProps) {
  const [siren, setSiren] = useState(initialSiren);
  const [siret, setSiret] = useState(initialSiret);
  const [touched, setTouched] = useState(false);

  const sirenCheck = digits(siren) ? explainSiren(siren) : null;
  const siretCheck = digits(siret) ? explainSiret(siret) : null;
  const effectiveSiren = sirenCheck?.ok ? sirenCheck.value : siretCheck?.ok ? siretCheck.value.slice(0, 9) : null;
  const mismatch = sirenCheck?.ok && siretCheck?.ok && !siretCheck.value.startsWith(sirenCheck.value);

  const sirenError = touched ? (sirenCheck && !sirenCheck.ok ? labels.sirenInvalid : undefined) : errors.siren;
  const siretError = touched ? (siretCheck && !siretCheck.ok ? labels.siretInvalid : mismatch ? labels.siretMismatch : undefined) : errors.siret;

  const field = (name: "siren" | "siret", label: string, value: string, error: string | undefined, set: (v: string) => void, max: number) => (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={`f-${name}`}>{label}</label>
      <input
        id={`f-${name}`}
        name={name}
        type="text"
        inputMode="numeric"
        maxLength={max}
        value={value}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `f-${name}-error` : undefined}
        onInput={(e) => {
          set(e.currentTarget.value);
          setTouched(true);
        }}
      />
      {error ? (
        <p class="error" id={`f-${name}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );

  return (
    <div class="company-ids">
      {field("siren", labels.siren, siren, sirenError, setSiren, 11)}
      {field("siret", labels.siret, siret, siretError, setSiret, 17)}
      <p class="hint" aria-live="polite">
        {effectiveSiren && !mismatch ? `${labels.valid} · ${labels.vatNumber} ${frenchVatNumberFromSiren(effectiveSiren)}` : "\u00a0"}
      </p>
    </div>
  );
}

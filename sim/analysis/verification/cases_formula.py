"""Formula cases: the laws and lookups the engine uses, evaluated without running it.

They catch a wrong constant or a typo in a law; whether the engine *applies* the law is
for the engine cases (FD-1/2, ST-1/2, AT-11, AT-14, SM-1) to show.
"""

from __future__ import annotations

from sim.analysis.verification import published as pub
from sim.analysis.verification.registry import Check, case
from sim.engine import movement as mv
from sim.hazards.fire_physics import hrr_kw, speed_in_smoke_mps, yamana_tanaka_height_m


@case("AT-09f", "SFPE link law S = k(1 − 0.266 D) and its caps", kind="formula",
      source="SFPE [H1][H2]")
def at09_sfpe() -> Check:
    """S(0.5) = 1.214, S(1.0) = 1.028, S(3.0) = 0.283 m/s; Fs,max = 1.40/(4 × 0.266) =
    1.316 at D = 1.88, capped at 1.3; 7/11 stair: k = 1.08, Fs,max 1.01; every SFPE stair
    type as tabulated."""
    got = (mv.sfpe_speed_mps(0.5), mv.sfpe_speed_mps(1.0), mv.sfpe_speed_mps(3.0))
    exp = (1.214, 1.028, 0.283)
    d_peak = 1 / (2 * mv.SFPE_A)
    fmax = mv.sfpe_specific_flow(d_peak)
    stairs = {rt: mv.sfpe_stair_constants(rt[0] * 25.4, rt[1] * 25.4)
              for rt in pub.SFPE_STAIRS}
    ok = (all(abs(a - b) <= 0.001 for a, b in zip(got, exp, strict=True))
          and abs(fmax - 1.316) <= 0.001 and abs(d_peak - 1.88) <= 0.005
          and mv.SFPE_FS_MAX_LEVEL == pub.SFPE_FS_MAX_LEVEL
          and all(abs(stairs[rt][0] - k) <= 0.005 and abs(stairs[rt][1] - f) <= 0.005
                  for rt, (k, f) in pub.SFPE_STAIRS.items()))
    return Check("1.214 / 1.028 / 0.283 m/s; Fs,max 1.316 at 1.88; cap 1.3; stairs (k, Fs) "
                 + ", ".join(f"{r:g}/{t:g}: {k}, {f}" for (r, t), (k, f) in
                             pub.SFPE_STAIRS.items()),
                 f"{got[0]:.3f} / {got[1]:.3f} / {got[2]:.3f}; {fmax:.3f} at {d_peak:.2f}; "
                 f"{mv.SFPE_FS_MAX_LEVEL}; " + ", ".join(
                     f"{k:.2f}, {f:.2f}" for k, f in stairs.values()), "±0.001 (stairs ±0.005)",
                 ok)


@case("AT-11f", "IMO Table 1.1 lookup and congestion flag", kind="formula",
      source="IMO [I1][I3]")
def at11_imo_table() -> Check:
    """Exact at the table points; congested when D > 4 p/m² for more than 10 % of t_A."""
    pts = {d: (s, f) for d, s, f in pub.IMO_TABLE_1_1} | {5.0: (0.10, 0.32)}
    ok = all(mv.imo_corridor(d) == v for d, v in pts.items())
    flag_hi = mv.imo_congested([4.5] * 11 + [1.0] * 89, 1.0, 100.0)
    flag_lo = mv.imo_congested([4.5] * 9 + [1.0] * 91, 1.0, 100.0)
    ok = ok and flag_hi and not flag_lo
    return Check("exact at table points; D > 4 for > 10 % of t_A",
                 "all points exact; flag at 11 %, none at 9 %" if ok else "mismatch", "exact", ok)


@case("AT-13f", "t² fire: fast at 150 s, medium at 300 s", kind="formula",
      source="NFPA 204 [T1]")
def at13_t2_fire() -> Check:
    """α = 0.0469 kW/s² at 150 s and 0.01172 at 300 s give 1055 and 1054.8 kW."""
    a = hrr_kw(150.0, alpha_kw_s2=0.0469, peak_kw=1e9)
    b = hrr_kw(300.0, alpha_kw_s2=0.01172, peak_kw=1e9)
    ok = abs(a - 1055.0) <= 1.0 and abs(b - 1054.8) <= 1.0
    return Check("1055 kW; 1054.8 kW", f"{a:.1f} kW; {b:.1f} kW", "±1 kW", ok)


@case("AT-14f", "Yamana–Tanaka filling (k 0.12, 1 MW, 250 m², 4.5 m, 90 s)", kind="formula",
      source="NUREG-1805 FDT eq 2.10 [C1]")
def at14_yamana_tanaka() -> Check:
    """The FDT check value z = 1.887 m."""
    z = yamana_tanaka_height_m(90.0, 1000.0, 250.0, 4.5, k=0.12)
    return Check("1.887 m", f"{z:.3f} m", "±0.001 m", abs(z - 1.887) <= 0.001)


@case("AT-15f", "Speed in smoke (K = 1, 2, 10) and Weidmann (ρ = 1, 2, 5.4)", kind="formula",
      source="[J2][H2]")
def at15_speed_laws() -> Check:
    """Frantzich–Nilsson with v0 1.2: 1.103, 1.006, 0.300 (floor) m/s; Weidmann with
    v0 1.34: 1.058, 0.606, 0 m/s."""
    smoke = [speed_in_smoke_mps(1.2, k) for k in (1.0, 2.0, 10.0)]
    weid = [mv.weidmann_speed_mps(r) for r in (1.0, 2.0, 5.4)]
    ok = all(abs(a - b) <= 0.001 for a, b in zip(smoke, (1.103, 1.006, 0.300), strict=True)) \
        and all(abs(a - b) <= 0.001 for a, b in zip(weid, (1.058, 0.606, 0.0), strict=True))
    return Check("1.103, 1.006, 0.300; 1.058, 0.606, 0 m/s",
                 ", ".join(f"{v:.3f}" for v in smoke) + "; "
                 + ", ".join(f"{v:.3f}" for v in weid), "±0.001", ok)

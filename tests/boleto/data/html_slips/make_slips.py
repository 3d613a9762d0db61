#!/usr/bin/env python3
"""Writes the printed-HTML slip fixtures: two slips in the layout of two
public HTML boleto generators (see README.md), printed to PDF by Chromium
at A4 and Letter width. Run from this folder; needs chromium-headless-shell.
The linhas are computed here, independently of src/boleto."""
import html, os, subprocess, sys, tempfile

CHROMIUM = "/usr/lib/chromium/chromium-headless-shell"


def mod10(digits):
    total, weight = 0, 2
    for d in reversed(digits):
        p = int(d) * weight
        total += p // 10 + p % 10
        weight = 1 if weight == 2 else 2
    return (10 - total % 10) % 10


def mod11_barcode(digits43):
    total, weight = 0, 2
    for d in reversed(digits43):
        total += int(d) * weight
        weight = 2 if weight == 9 else weight + 1
    dv = 11 - total % 11
    return 1 if dv in (0, 10, 11) else dv


def slip(bank, factor, cents, free):
    body = f"{bank}9{factor:04d}{cents:010d}{free}"
    barcode = body[:4] + str(mod11_barcode(body)) + body[4:]
    f1 = barcode[0:4] + barcode[19:24]
    f2, f3 = barcode[24:34], barcode[34:44]
    f1, f2, f3 = f1 + str(mod10(f1)), f2 + str(mod10(f2)), f3 + str(mod10(f3))
    linha = f1 + f2 + f3 + barcode[4] + barcode[5:19]
    printed = f"{f1[:5]}.{f1[5:]} {f2[:5]}.{f2[5:]} {f3[:5]}.{f3[5:]} {barcode[4]} {barcode[5:19]}"
    return linha, barcode, printed


def misread_passes(printed, bank_code):
    """Whether the misreading of issue 17 (the bank code, which the text puts
    between the wrapped halves, taken into the last group) passes the general
    check digit. It depends on the factor and amount only: node-boleto's
    slip passes (a wrong line), OpenBoleto's fails (no line)."""
    head, tail = printed.rsplit(" ", 1)
    digits = "".join(c for c in head + bank_code + tail if c.isdigit())[:47]
    barcode = digits[:4] + digits[32] + digits[33:47] + digits[4:9] + digits[10:20] + digits[21:31]
    return mod11_barcode(barcode[:4] + barcode[5:]) == int(barcode[4])


# node-boleto (pagarme/node-boleto, assets/layout.ejs): 666px tables, the
# bank code in a 72px bold 22px cell between two 2px bars, the linha in a
# 500px bold 15px Arial cell aligned right and to the bottom.
NODE_BOLETO = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Boleto</title><style>
@page {{ size: {paper}; margin: 10mm }}
* {{ margin: 0; padding: 0 }}
table {{ border-collapse: collapse; width: 666px }}
td {{ padding-left: 6px; border-left: 1px solid #000; vertical-align: top }}
.label {{ font: 9px "arial narrow"; color: #003; height: 13px }}
.value td {{ font: bold 10px arial; height: 12px; border-bottom: 1px solid #000 }}
.head td {{ border-bottom: 2px solid #000; border-left: 0; vertical-align: bottom }}
.logo {{ width: 150px; height: 40px; background: #c00 }}
.bar {{ width: 2px; background: #000; padding: 0 }}
.bank {{ width: 72px; font: bold 22px arial; text-align: center }}
.linha {{ width: 500px; font: bold 15px arial; text-align: right }}
.right {{ text-align: right }}
.cut {{ border-top: 1px dashed #000; height: 26px; border-left: 0 }}
</style></head><body>
{part}
<table><tr><td class="cut"></td></tr></table>
{part}
</body></html>"""

NODE_BOLETO_PART = """<table><tr class="head"><td class="logo" title="{bank_name}"></td><td class="bar"></td>
<td class="bank">{bank_code}</td><td class="bar"></td><td class="linha">{printed}</td></tr></table>
<table><tr class="label"><td style="width:472px">Local de pagamento</td><td style="width:180px">Vencimento</td></tr>
<tr class="value"><td>Pagável em qualquer banco até o vencimento</td><td class="right">{due}</td></tr></table>
<table><tr class="label"><td style="width:472px">Beneficiário</td><td style="width:180px">Agência / Código beneficiário</td></tr>
<tr class="value"><td>Pagar.me Pagamentos S/A</td><td class="right">3978/6404154</td></tr></table>
<table><tr class="label"><td style="width:113px">Data do documento</td><td style="width:163px">N<u>o</u> documento</td>
<td style="width:62px">Espécie doc.</td><td style="width:34px">Aceite</td><td style="width:72px">Data processamento</td>
<td style="width:180px">Carteira / Nosso número</td></tr>
<tr class="value"><td>{issued}</td><td>000123123</td><td>DM</td><td>N</td><td>{issued}</td><td class="right">{nosso}</td></tr></table>
<table><tr class="label"><td style="width:113px">Uso do banco</td><td style="width:83px">Carteira</td><td style="width:53px">Espécie</td>
<td style="width:123px">Quantidade</td><td style="width:72px">(x) Valor</td><td style="width:180px">(=) Valor documento</td></tr>
<tr class="value"><td>&nbsp;</td><td>102</td><td>R$</td><td></td><td></td><td class="right">R$ {amount}</td></tr></table>
<table><tr class="label"><td style="width:478px">Pagador</td></tr>
<tr class="value"><td>{payer} - CPF {document}</td></tr></table>"""

# OpenBoleto (openboleto/openboleto, resources/views/partials/
# ficha-de-compensacao.phtml and resources/css/styles.css): the bank code
# (bold 20px, between 2px borders) and the linha (bold 14px Arial in a 406px
# inline block aligned right) share the first cell of a 666px table.
OPENBOLETO = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Boleto</title><style>
@page {{ size: {paper}; margin: 10mm }}
body {{ font: 11px Arial; margin: 0 }}
.boleto {{ width: 666px; border-collapse: collapse }}
.boleto td {{ border-left: 1px solid #000; border-top: 1px solid #000; padding: 1px 4px; vertical-align: top }}
.boleto td.head {{ border: 0; padding: 0; vertical-align: bottom }}
.logo {{ width: 257px; display: inline-block }}
.logo i {{ display: inline-block; width: 150px; height: 40px; background: #f60 }}
.codbanco {{ font: bold 20px Arial; padding: 1px 5px; display: inline; border-left: 2px solid #000;
             border-right: 2px solid #000; margin-left: 25px }}
.linha {{ font: bold 14px Arial; display: inline-block; width: 406px; text-align: right }}
.titulo {{ font: 9px Arial; color: #333 }}
.conteudo {{ font: bold 10px Arial; min-height: 13px }}
.rtl {{ text-align: right }}
</style></head><body>
<table class="boleto"><tr><td class="head" colspan="4"><div class="logo"><i title="{bank_name}"></i><div class="codbanco">{bank_code}</div></div><div class="linha">{printed}</div></td></tr>
<tr><td colspan="3"><div class="titulo">Local de pagamento</div><div class="conteudo">Pagável em qualquer banco até o vencimento</div></td>
<td style="width:180px"><div class="titulo">Vencimento</div><div class="conteudo rtl">{due}</div></td></tr>
<tr><td colspan="3"><div class="titulo">Beneficiário</div><div class="conteudo">Escola Modelo Ltda - CNPJ 12.345.678/0001-95</div></td>
<td><div class="titulo">Agência/Código Beneficiário</div><div class="conteudo rtl">1234/0012345-6</div></td></tr>
<tr><td><div class="titulo">Data do documento</div><div class="conteudo">{issued}</div></td>
<td><div class="titulo">Nº documento</div><div class="conteudo">2026120</div></td>
<td><div class="titulo">Nosso número</div><div class="conteudo">{nosso}</div></td>
<td><div class="titulo">(=) Valor do Documento</div><div class="conteudo rtl">R$ {amount}</div></td></tr>
<tr><td colspan="4"><div class="titulo">Pagador</div><div class="conteudo">{payer} - CPF {document}</div></td></tr>
</table></body></html>"""

SLIPS = [
    # name, template, part, bank name, bank code, factor (1656 = 10/12/2026), cents, free field, nosso número
    ("node_boleto", NODE_BOLETO, NODE_BOLETO_PART, "Santander", "033-7", 1656, 10951,
     "96404154{nosso:012d}{dv}0102", "{nosso:012d}-{dv}"),
    ("openboleto", OPENBOLETO, None, "Itaú", "341-7", 1660, 123456,
     "109{nosso:08d}{dv}1234012345000", "109/{nosso:08d}-{dv}"),
]


def main():
    for name, template, part, bank_name, bank_code, factor, cents, free_fmt, nosso_fmt in SLIPS:
        nosso = 4271
        dv = nosso % 10
        free = free_fmt.format(nosso=nosso, dv=dv)
        assert len(free) == 25, free
        linha, barcode, printed = slip(bank_code[:3], factor, cents, free)
        due = {1656: "10/12/2026", 1660: "14/12/2026"}[factor]
        reais = f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
        fields = dict(bank_name=html.escape(bank_name), bank_code=bank_code, printed=printed, due=due,
                      issued="01/12/2026", nosso=nosso_fmt.format(nosso=nosso, dv=dv), amount=reais,
                      payer="Maria das Graças Souza", document="158.813.998-03")
        for paper in ("A4", "Letter"):
            fields["paper"] = paper
            page = template.format(part=part.format(**fields), paper=paper) if part else template.format(**fields)
            html_path = f"{name}.html" if paper == "A4" else os.path.join(tempfile.mkdtemp(), f"{name}.html")
            with open(html_path, "w", encoding="utf-8") as f:
                f.write(page)
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                            f"--print-to-pdf={name}_{paper.lower()}.pdf", html_path],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"{name}: {linha} barcode {barcode} due {due} amount {reais}; "
              f"the bank code taken into the last group {'passes' if misread_passes(printed, bank_code) else 'fails'} the check digits")


if __name__ == "__main__":
    sys.exit(main())

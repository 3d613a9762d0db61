#!/usr/bin/env python3
"""Writes N clients in demo/clients.csv's format (id,name,document,email,city)
with CPFs whose check digits are valid. Deterministic: the same N gives the
same file, and the first K clients of a bigger file equal a file of K.

    make_clients.py N OUT.csv
"""
import random
import sys

CITIES = ["Porto Alegre", "Rio de Janeiro", "Recife", "Curitiba", "Fortaleza",
          "Salvador", "São Paulo", "Belo Horizonte", "Manaus", "Belém"]
FIRST = ["João", "Maria", "José", "Ana", "Francisco", "Antônia", "Paulo", "Luíza",
         "Carlos", "Fernanda", "Lucas", "Juliana", "Pedro", "Beatriz", "Rafael"]
LAST = ["Silva", "Souza", "Pereira", "Oliveira", "Gonçalves", "Ribeiro", "Costa",
        "Almeida", "Carvalho", "Lima", "Araújo", "Barbosa", "Rocha", "Dias"]


def cpf_check_digits(base9):
    digits = [int(c) for c in base9]
    for weight_start in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(weight_start, 1, -1)))
        rest = total % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(str(d) for d in digits)


def cpf_for(i):
    # A distinct 9-digit base per client: disjoint ranges of 7919 for i < 113,000.
    rng = random.Random(i)
    base = "%09d" % (100000000 + i * 7919 + rng.randrange(0, 7919))
    if len(set(base)) == 1:
        base = base[:-1] + str((int(base[-1]) + 1) % 10)
    d = cpf_check_digits(base)
    return "%s.%s.%s-%s" % (d[0:3], d[3:6], d[6:9], d[9:11])


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    if not 0 < n < 113000:
        sys.exit("make_clients.py: N must be 1..112999")
    seen = set()
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("id,name,document,email,city\n")
        for i in range(1, n + 1):
            cpf = cpf_for(i)
            assert cpf not in seen, "duplicate CPF"
            seen.add(cpf)
            rng = random.Random(-i)
            # The number keeps names (and so boletos' output file names) unique.
            name = "%s %s %s %06d" % (rng.choice(FIRST), rng.choice(LAST), rng.choice(LAST), i)
            f.write('b%06d,%s,%s,cliente%06d@exemplo.com.br,%s\n' % (i, name, cpf, i, rng.choice(CITIES)))


if __name__ == "__main__":
    main()

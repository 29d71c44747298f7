package dev.pitstop.cli;

public class Main {
  public static void main(String[] a) {}
}
